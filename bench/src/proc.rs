//! Child processes for measurements: started pinned with `taskset`, killed on drop (SIGTERM,
//! then SIGKILL), CPU time read from /proc, and the binaries found beside the harness.

use std::io::{self, BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running child process; dropping it stops it (SIGTERM, then SIGKILL after 3 s).
#[derive(Debug)]
pub struct Proc {
    /// What it is, for messages.
    pub name: String,
    child: Option<Child>,
    lines: Option<mpsc::Receiver<String>>,
}

impl Proc {
    /// Starts `cmd` pinned to `cpus` (a `taskset -c` list; `None` = not pinned), stdout piped
    /// and read line by line in the background, stderr passed through.
    pub fn spawn(
        name: &str,
        cpus: Option<&str>,
        program: &Path,
        args: &[String],
    ) -> io::Result<Proc> {
        let mut cmd = match cpus {
            Some(c) => {
                let mut t = Command::new("taskset");
                t.arg("-c").arg(c).arg(program);
                t
            }
            None => Command::new(program),
        };
        die_with_parent(&mut cmd);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{name}: cannot start {}: {e}", program.display()),
            )
        })?;
        let lines = child.stdout.take().map(spawn_line_reader);
        Ok(Proc {
            name: name.to_string(),
            child: Some(child),
            lines,
        })
    }

    /// The process id (taskset execs the program, so it is the program's).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Waits for a stdout line that is JSON with a `"listening"` address (the convention of
    /// `smsedge-loadgen smsc`, `relay` and `smpp34-sink`).
    pub fn wait_listening(&mut self, timeout: Duration) -> io::Result<SocketAddr> {
        let deadline = Instant::now() + timeout;
        loop {
            let line = self.next_line(deadline.saturating_duration_since(Instant::now()))?;
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if let Some(a) = v["listening"].as_str() {
                    return a.parse().map_err(|e| {
                        io::Error::other(format!("{}: bad address {a}: {e}", self.name))
                    });
                }
            }
        }
    }

    /// The next stdout line, or an error after `timeout` or at end of output.
    pub fn next_line(&mut self, timeout: Duration) -> io::Result<String> {
        let rx = self
            .lines
            .as_ref()
            .ok_or_else(|| io::Error::other(format!("{}: no stdout", self.name)))?;
        match rx.recv_timeout(timeout) {
            Ok(l) => Ok(l),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{}: no output within {timeout:?}", self.name),
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = self
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten());
                Err(io::Error::other(format!(
                    "{}: exited ({status:?})",
                    self.name
                )))
            }
        }
    }

    /// Still running?
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// CPU time (user + system, all threads) the process has used so far.
    pub fn cpu_time(&self) -> io::Result<Duration> {
        cpu_time(self.pid())
    }

    /// Sends SIGTERM, waits up to `grace` for the exit, then SIGKILL. Returns the stdout lines
    /// printed after the ones already read.
    pub fn stop(&mut self, grace: Duration) -> Vec<String> {
        let Some(mut child) = self.child.take() else {
            return Vec::new();
        };
        // SAFETY: kill(2) on the pid of a child we have not reaped yet.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + grace;
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let mut rest = Vec::new();
        if let Some(rx) = self.lines.take() {
            while let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
                rest.push(l);
            }
        }
        rest
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(3));
    }
}

fn spawn_line_reader(out: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Makes the child get SIGTERM when the harness dies, however it dies (an interrupt, a panic,
/// SIGKILL): no measurement leaves a server behind. `taskset` passes it on through `exec`.
pub fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec and only calls prctl(2),
    // which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// CPU time (utime + stime of every thread) of process `pid`, from `/proc/PID/stat`.
pub fn cpu_time(pid: u32) -> io::Result<Duration> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name is in parentheses and may contain spaces: fields start after the last ')'.
    let rest = s
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| io::Error::other("malformed /proc/PID/stat"))?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, utime field 14, stime field 15 (proc(5)).
    let get = |i: usize| -> io::Result<u64> {
        f.get(i - 3)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| io::Error::other("malformed /proc/PID/stat"))
    };
    let ticks = get(14)? + get(15)?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Ok(Duration::from_nanos(ticks * 1_000_000_000 / hz))
}

/// A TCP port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts TCP connections on `addr`.
pub fn wait_accepting(addr: SocketAddr, timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("{addr}: not accepting: {e}"),
                ))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The folder of the running executable (target/release when run by cargo): the workspace's
/// other binaries are built there.
pub fn bin_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A binary of the workspace beside this one, or an error that says how to build it.
pub fn sibling(name: &str) -> io::Result<PathBuf> {
    let p = bin_dir().join(name);
    if p.is_file() {
        Ok(p)
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{} not found; build it with `cargo build --release -p smsedge-engine -p smsedge-loadgen -p smsedge-bench --bins`",
                p.display()
            ),
        ))
    }
}

/// Finds `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The CPUs this process may run on (sched_getaffinity).
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_cpu_time() {
        // Spin until /proc says this process has used 30 ms more CPU (clock ticks are 10 ms).
        // A wall-clock spin of fixed length would flake on a shared, busy machine; a reader
        // that does not see CPU time advance fails after 10 s.
        let t0 = cpu_time(std::process::id()).unwrap();
        let start = Instant::now();
        let mut x = 0u64;
        let mut t1 = t0;
        while t1 < t0 + Duration::from_millis(30) && start.elapsed() < Duration::from_secs(10) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            t1 = cpu_time(std::process::id()).unwrap();
        }
        assert!(t1 >= t0 + Duration::from_millis(30), "{t0:?} -> {t1:?}");
    }

    #[test]
    fn child_is_stopped_on_drop_and_lines_are_read() {
        let mut p = Proc::spawn(
            "sh",
            None,
            Path::new("/bin/sh"),
            &[
                "-c".into(),
                "echo '{\"listening\": \"127.0.0.1:9\"}'; exec sleep 30".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            p.wait_listening(Duration::from_secs(5)).unwrap(),
            "127.0.0.1:9".parse::<SocketAddr>().unwrap()
        );
        let pid = p.pid();
        assert!(p.is_running());
        drop(p);
        assert!(
            !Path::new(&format!("/proc/{pid}/stat")).exists() || {
                // A zombie of an unrelated reaper is not ours; ours was waited for.
                let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                !s.contains("sleep")
            }
        );
    }
}
