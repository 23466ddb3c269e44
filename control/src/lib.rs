//! smsedge control plane
