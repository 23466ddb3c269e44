//! M3UA over kernel SCTP (RFC 4666 1.3.1, the transport the RFC defines): a one-to-one socket
//! (`socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)`), two streams each way (`SCTP_INITMSG`), and
//! every M3UA message sent on its own with `sendmsg` and an `SCTP_SNDRCV` control message naming
//! its stream and the payload protocol identifier 3 (M3UA, RFC 4666 1.4.7): stream 0 for
//! management (ASPSM, ASPTM, MGMT, SSNM, RKM), stream 1 for DATA.
//!
//! This is the seam between the engine and the kernel: plain libc calls, no runtime. Receiving
//! needs nothing special (a one-to-one socket reads like a stream; M3UA frames itself), so the
//! glue reads it like a TCP connection and only writes through [`send_message`].
//!
//! The machines this was written on have no kernel SCTP: [`socket`] fails there with an error
//! that says so, and only the encoding of the control message is tested end to end.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// IPPROTO_SCTP / SOL_SCTP (linux/in.h, linux/socket.h).
pub const IPPROTO_SCTP: libc::c_int = 132;
/// SCTP_INITMSG socket option (linux/sctp.h).
pub const SCTP_INITMSG: libc::c_int = 2;
/// SCTP_SNDRCV control message type (linux/sctp.h).
pub const SCTP_SNDRCV: libc::c_int = 1;
/// M3UA's payload protocol identifier (RFC 4666 1.4.7; IANA SCTP PPID 3).
pub const PPID_M3UA: u32 = 3;
/// The stream of DATA (RFC 4666 1.4.7: a non-zero stream for traffic).
pub const DATA_STREAM: u16 = 1;
/// The stream of management messages.
pub const MGMT_STREAM: u16 = 0;

/// `struct sctp_initmsg` (linux/sctp.h).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SctpInitMsg {
    /// Outbound streams requested.
    pub sinit_num_ostreams: u16,
    /// Inbound streams accepted.
    pub sinit_max_instreams: u16,
    /// INIT retransmissions.
    pub sinit_max_attempts: u16,
    /// INIT timeout ceiling (ms).
    pub sinit_max_init_timeo: u16,
}

/// `struct sctp_sndrcvinfo` (linux/sctp.h): 32 octets.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SctpSndRcvInfo {
    /// Stream number.
    pub sinfo_stream: u16,
    /// Stream sequence number (receive side).
    pub sinfo_ssn: u16,
    /// Flags (SCTP_UNORDERED, ...).
    pub sinfo_flags: u16,
    /// Payload protocol identifier, in network byte order as the peer sees it.
    pub sinfo_ppid: u32,
    /// Opaque context.
    pub sinfo_context: u32,
    /// Time to live (ms).
    pub sinfo_timetolive: u32,
    /// TSN (receive side).
    pub sinfo_tsn: u32,
    /// Cumulative TSN (receive side).
    pub sinfo_cumtsn: u32,
    /// Association id (one-to-many sockets).
    pub sinfo_assoc_id: i32,
}

/// The M3UA stream of a message: DATA (class 1) on stream 1, the rest on stream 0.
pub fn stream_of(m3ua: &[u8]) -> u16 {
    match m3ua.get(2) {
        Some(&smsedge_codecs::m3ua::header::class::TRANSFER) => DATA_STREAM,
        _ => MGMT_STREAM,
    }
}

fn check(r: libc::c_int, what: &str) -> io::Result<()> {
    if r < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{what}: {e}")));
    }
    Ok(())
}

/// A non-blocking one-to-one SCTP socket for `addr`'s family with two streams each way.
pub fn socket(addr: &SocketAddr) -> io::Result<OwnedFd> {
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: socket(2) with constant arguments; the result is checked before use.
    let fd = unsafe {
        libc::socket(
            family,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            IPPROTO_SCTP,
        )
    };
    if fd < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(
            e.kind(),
            format!(
                "this kernel has no SCTP (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): {e}); \
                 load the sctp module (modprobe sctp) or use transport = \"tcp\""
            ),
        ));
    }
    // SAFETY: fd is a socket we just opened and own.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let init = SctpInitMsg {
        sinit_num_ostreams: 2,
        sinit_max_instreams: 2,
        ..Default::default()
    };
    // SAFETY: setsockopt(2) reading a live struct of the size given.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            IPPROTO_SCTP,
            SCTP_INITMSG,
            (&init as *const SctpInitMsg).cast(),
            std::mem::size_of::<SctpInitMsg>() as libc::socklen_t,
        )
    };
    check(r, "setsockopt(SCTP_INITMSG)")?;
    Ok(fd)
}

fn sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all zeros is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_in fits in sockaddr_storage.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_in6 fits in sockaddr_storage.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// Starts connecting `fd` to `addr` (non-blocking: `Ok(false)` while in progress).
pub fn connect_start(fd: &OwnedFd, addr: &SocketAddr) -> io::Result<bool> {
    let (ss, len) = sockaddr(addr);
    // SAFETY: connect(2) with a sockaddr of the length given.
    let r = unsafe {
        libc::connect(
            fd.as_raw_fd(),
            (&ss as *const libc::sockaddr_storage).cast(),
            len,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EINPROGRESS) {
        return Ok(false);
    }
    Err(io::Error::new(
        e.kind(),
        format!("SCTP connect to {addr}: {e}"),
    ))
}

/// Where a non-blocking connect stands: `Ok(true)` connected, `Ok(false)` still in progress.
pub fn connect_done(fd: &OwnedFd) -> io::Result<bool> {
    let mut p = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: poll(2) on one live pollfd with a zero timeout.
    let r = unsafe { libc::poll(&mut p, 1, 0) };
    check(r, "poll")?;
    if r == 0 {
        return Ok(false);
    }
    let mut err: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt(2) writing an int of the size given.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ERROR,
            (&mut err as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    check(r, "getsockopt(SO_ERROR)")?;
    if err != 0 {
        return Err(io::Error::from_raw_os_error(err));
    }
    Ok(true)
}

/// The control buffer of `sendmsg` for one message: an `SCTP_SNDRCV` cmsg naming `stream` and
/// `ppid` (sent in network byte order, as `sctp_sendmsg(3)` expects of its caller).
pub fn sndrcv_cmsg(stream: u16, ppid: u32) -> Vec<u8> {
    let info = SctpSndRcvInfo {
        sinfo_stream: stream,
        sinfo_ppid: ppid.to_be(),
        ..Default::default()
    };
    let data_len = std::mem::size_of::<SctpSndRcvInfo>() as u32;
    // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
    let (space, len) = unsafe { (libc::CMSG_SPACE(data_len), libc::CMSG_LEN(data_len)) };
    // u64-aligned storage: cmsghdr needs the alignment of size_t.
    let mut buf = vec![0u8; space as usize];
    let hdr = libc::cmsghdr {
        cmsg_len: len as _,
        cmsg_level: IPPROTO_SCTP,
        cmsg_type: SCTP_SNDRCV,
    };
    let hlen = std::mem::size_of::<libc::cmsghdr>();
    // SAFETY: both values are plain old data copied byte for byte into a buffer that holds
    // CMSG_SPACE(sizeof info) octets, enough for the header and the data.
    unsafe {
        std::ptr::copy_nonoverlapping(
            (&hdr as *const libc::cmsghdr).cast::<u8>(),
            buf.as_mut_ptr(),
            hlen,
        );
        let data_at = (len - data_len) as usize;
        std::ptr::copy_nonoverlapping(
            (&info as *const SctpSndRcvInfo).cast::<u8>(),
            buf.as_mut_ptr().add(data_at),
            data_len as usize,
        );
    }
    buf
}

/// Sends one M3UA message on `fd` with `sendmsg(2)`, on the stream its class calls for and PPID 3.
/// `WouldBlock` when the socket buffer is full.
pub fn send_message(fd: RawFd, m3ua: &[u8]) -> io::Result<usize> {
    let mut control = sndrcv_cmsg(stream_of(m3ua), PPID_M3UA);
    let mut iov = libc::iovec {
        iov_base: m3ua.as_ptr() as *mut libc::c_void,
        iov_len: m3ua.len(),
    };
    // SAFETY: msghdr is plain old data; every pointer set below outlives the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = control.len() as _;
    // SAFETY: sendmsg(2) on a socket fd with the msghdr built above.
    let r = unsafe { libc::sendmsg(fd, &msg, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(r as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sndrcv_cmsg_is_what_the_kernel_parses() {
        let mut buf = sndrcv_cmsg(DATA_STREAM, PPID_M3UA);
        // SAFETY: a msghdr pointing at our control buffer, walked with the libc macros as the
        // kernel's __cmsg_nxthdr does.
        unsafe {
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_control = buf.as_mut_ptr().cast();
            msg.msg_controllen = buf.len() as _;
            let c = libc::CMSG_FIRSTHDR(&msg);
            assert!(!c.is_null());
            assert_eq!((*c).cmsg_level, 132);
            assert_eq!((*c).cmsg_type, SCTP_SNDRCV);
            assert_eq!(
                (*c).cmsg_len as usize,
                libc::CMSG_LEN(32) as usize,
                "header plus a 32-octet sctp_sndrcvinfo"
            );
            let info = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<SctpSndRcvInfo>());
            assert_eq!(info.sinfo_stream, 1);
            assert_eq!(u32::from_be(info.sinfo_ppid), 3);
            assert!(libc::CMSG_NXTHDR(&msg, c).is_null(), "one control message");
        }
        assert_eq!(std::mem::size_of::<SctpSndRcvInfo>(), 32);
        assert_eq!(std::mem::size_of::<SctpInitMsg>(), 8);
    }

    #[test]
    fn streams_follow_the_message_class() {
        use smsedge_codecs::m3ua::{Message, ProtocolData};
        assert_eq!(stream_of(&Message::aspup(None).encode()), MGMT_STREAM);
        assert_eq!(
            stream_of(&Message::aspac(Some(2), &[]).encode()),
            MGMT_STREAM
        );
        let pd = ProtocolData {
            opc: 1,
            dpc: 2,
            si: 3,
            ni: 2,
            mp: 0,
            sls: 0,
            user_data: vec![],
        };
        assert_eq!(stream_of(&Message::data(None, pd).encode()), DATA_STREAM);
    }

    /// Without kernel SCTP (the machines this is built on) the socket cannot be made, and the
    /// error says why and what to do; with it, connecting to a closed port fails.
    #[test]
    fn connecting_fails_with_a_clear_error_here() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        match socket(&addr) {
            Err(e) => {
                let s = e.to_string();
                assert!(
                    s.contains("no SCTP") && s.contains("transport = \"tcp\""),
                    "{s}"
                );
            }
            Ok(fd) => {
                let started = connect_start(&fd, &addr);
                let mut done = started.as_ref().map(|d| *d).unwrap_or(true);
                let t0 = std::time::Instant::now();
                let mut r = started.map(|_| ());
                while !done && t0.elapsed() < std::time::Duration::from_secs(5) {
                    match connect_done(&fd) {
                        Ok(true) => done = true,
                        Ok(false) => std::thread::sleep(std::time::Duration::from_millis(10)),
                        Err(e) => {
                            r = Err(e);
                            done = true;
                        }
                    }
                }
                assert!(r.is_err() || !done, "nothing listens on port 9");
            }
        }
    }
}
