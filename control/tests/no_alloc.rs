//! `RouteTable::lookup` and `Snapshot::refresh`/`get` must not allocate: counted with a global
//! allocator that wraps the system one. One test in this binary, so nothing else allocates
//! while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use smsedge_control::config::{Config, Route};
use smsedge_control::{AccountId, Publisher, RouteQuery, RouteTable};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates every call to `System` unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn lookup_and_snapshot_reads_do_not_allocate() {
    let cfg = Config::embedded_default();
    let mut routes = vec![
        Route::new("44", &["smsc"]),
        Route::new("4477", &["smsc"]),
        Route::new("", &["smsc"]),
    ];
    let mut conditional = Route::new("4477", &["smsc"]);
    conditional.accounts = Some(vec!["demo".into()]);
    conditional.source_addrs = Some(vec!["BANK".into()]);
    conditional.data_codings = Some(vec![8]);
    routes.insert(0, conditional);
    let table = RouteTable::compile(&routes, &cfg.accounts, &cfg.connectors).unwrap();
    let publisher = Publisher::new(table);
    let mut snap = publisher.snapshot();
    let dests: Vec<&[u8]> = vec![b"447700900123", b"+4412", b"1", b"44x", b"", b"4477"];

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut found = 0;
    for round in 0..1000 {
        snap.refresh();
        for d in &dests {
            let q = RouteQuery {
                destination: d,
                account: AccountId(0),
                source_addr: if round % 2 == 0 { b"BANK" } else { b"40404" },
                service_type: b"",
                data_coding: 8,
            };
            found += snap.get().routes().len() - snap.get().lookup(&q).map_or(0, |r| r.index);
        }
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert!(found > 0);
    assert_eq!(
        after - before,
        0,
        "lookups allocated {} times",
        after - before
    );

    // The counter does count: a refresh that picks up a new table clones nothing, but
    // building a table does allocate.
    let t = RouteTable::compile(&routes, &cfg.accounts, &cfg.connectors).unwrap();
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > after);
    publisher.publish(t);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    assert!(snap.refresh());
    assert_eq!(
        ALLOCATIONS.load(Ordering::SeqCst) - before,
        0,
        "refresh only swaps an Arc"
    );
}
