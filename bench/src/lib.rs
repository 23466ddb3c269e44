//! smsedge-bench: criterion microbenchmarks (`benches/`) and the end-to-end measurements
//! (`src/bin/`): `e2e` (smsedge against a byte relay and HAProxy), `termination` (the SMSC
//! simulator against an smpp34 sink), and the two servers they need, `relay` and
//! `smpp34-sink`. This library holds what the measurement binaries share: child processes that
//! die with the harness, CPU time from /proc, load-generator runs, and the machine's
//! description for the results.

pub mod load;
pub mod machine;
pub mod proc;
