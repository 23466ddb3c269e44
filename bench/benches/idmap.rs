//! Message-id bookkeeping of the engine (`smsedge_engine::idmap`) and the whole receipt path
//! of one delivery receipt as a shard runs it.
//!
//! `cargo bench -p smsedge-bench --bench idmap -- --warm-up-time 1 --measurement-time 3`
//!
//! Every iteration works on a batch of 1024 messages, so `Throughput::Elements` counts
//! messages (criterion prints the per-message rate). The maps are measured in steady state:
//! filled to their working size first, then every message inserts one entry and removes (or
//! overwrites) an old one, as a running shard does.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use smsedge_codecs::smpp::receipt::{receipt_message_id, rewrite_receipt};
use smsedge_codecs::smpp::{tag, SmView};
use smsedge_control::config::IdFormat;
use smsedge_engine::idmap::{
    format_id, key_owner, upstream_key, IdGen, IdHasher, OwnEntry, OwnMap, RcptEntry, RcptMap,
    UpstreamId,
};

const BATCH: u64 = 1024;
/// The engine's default `server.id_map_capacity` (entries per shard).
const DEFAULT_CAPACITY: usize = 2_000_000;

/// The id the SMSC simulator hands out: lower-case hex of a counter (16 digits at most).
fn hex_id(n: u64, buf: &mut [u8; 16]) -> &[u8] {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut i = 16;
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = D[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

fn id_gen(c: &mut Criterion) {
    let mut g = c.benchmark_group("idmap/own_id");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("next_id+format_id", |b| {
        let mut gen = IdGen::new(0, 1_700_000_000_000);
        let mut buf = [0u8; 20];
        b.iter(|| {
            let mut acc = 0usize;
            for _ in 0..BATCH {
                let id = gen.next_id();
                acc += format_id(black_box(id), &mut buf).len();
            }
            acc
        })
    });
    g.finish();
}

fn keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("idmap/upstream_key");
    g.throughput(Throughput::Elements(BATCH));
    // Ids as upstreams write them: the simulator's hex counter, a 10-digit decimal, a UUID.
    let hex: Vec<Vec<u8>> = (0..BATCH)
        .map(|i| {
            let mut b = [0u8; 16];
            hex_id(0x1_0000_0000 + i * 7919, &mut b).to_vec()
        })
        .collect();
    let dec: Vec<Vec<u8>> = (0..BATCH)
        .map(|i| format!("{:010}", 59_113_978 + i * 31).into_bytes())
        .collect();
    let uuid: Vec<Vec<u8>> = (0..BATCH)
        .map(|i| format!("3F2504E0-4F89-11D3-9A0C-0305E8{i:06X}").into_bytes())
        .collect();
    for (name, ids, fmt) in [
        ("text_hex_9", &hex, IdFormat::Text),
        ("hex_9", &hex, IdFormat::Hex),
        ("decimal_10", &dec, IdFormat::Decimal),
        ("text_uuid_36", &uuid, IdFormat::Text),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut acc = 0u128;
                for id in ids {
                    acc ^= upstream_key(black_box(id), fmt);
                }
                acc
            })
        });
    }
    g.bench_function("key_owner_4_shards", |b| {
        let ks: Vec<u128> = hex
            .iter()
            .map(|i| upstream_key(i, IdFormat::Text))
            .collect();
        b.iter(|| {
            let mut acc = 0usize;
            for &k in &ks {
                acc += key_owner(1, black_box(k), 4);
            }
            acc
        })
    });
    g.finish();
}

fn own_map(c: &mut Criterion) {
    let mut g = c.benchmark_group("idmap/own_map");
    g.throughput(Throughput::Elements(BATCH));
    for cap in [65_536usize, DEFAULT_CAPACITY] {
        g.bench_with_input(BenchmarkId::new("insert+get", cap), &cap, |b, &cap| {
            let mut m = OwnMap::new(cap);
            let mut gen = IdGen::new(0, 1_700_000_000_000);
            // Fill every slot once so the ring is in its steady state (overwriting).
            for _ in 0..cap.next_power_of_two() {
                let id = gen.next_id();
                m.insert(own_entry(id));
            }
            b.iter(|| {
                let mut acc = 0u32;
                for _ in 0..BATCH {
                    let id = gen.next_id();
                    m.insert(own_entry(id));
                    acc += m.get(black_box(id), 5, 3600).map_or(0, |e| e.connector);
                }
                acc
            })
        });
    }
    g.finish();
}

fn own_entry(id: u64) -> OwnEntry {
    let mut b = [0u8; 16];
    OwnEntry {
        id,
        connector: 1,
        upstream: UpstreamId::new(hex_id(id & 0xffff_ffff_ffff, &mut b)),
        account: 0,
        created: 5,
    }
}

/// The receipt key of the `n`-th message: the SMSC simulator's hex counter ids (most SMSCs
/// hand out sequential ids too).
fn rcpt_key(n: u64) -> u128 {
    let mut buf = [0u8; 16];
    upstream_key(hex_id(0x1_0000_0000 + n, &mut buf), IdFormat::Text)
}

/// How many distinct buckets (low 22 bits of the hash, a table of 4 M buckets as the default
/// 2 M-entry map has) 1 M consecutive receipt keys fall into.
fn distinct_buckets<H: Hasher + Default>() -> usize {
    let mut seen = HashSet::new();
    for n in 0..1_000_000u64 {
        let mut h = H::default();
        (1u32, rcpt_key(n)).hash(&mut h);
        seen.insert(h.finish() & ((1 << 22) - 1));
    }
    seen.len()
}

fn rcpt_map(c: &mut Criterion) {
    eprintln!(
        "idmap: 1 000 000 consecutive receipt keys fall into {} distinct buckets of 4 194 304 with IdHasher (fmix64 finish)",
        distinct_buckets::<IdHasher>()
    );
    let mut g = c.benchmark_group("idmap/rcpt_map");
    g.throughput(Throughput::Elements(BATCH));
    // `held` receipts outstanding: each message inserts its key and the receipt of the message
    // `held` messages earlier removes its own (final receipt). Receipts come back minutes to
    // hours later in real traffic, so a shard holds its whole id_map_capacity of keys.
    for held in [1_000u64, 10_000, 100_000] {
        g.bench_with_input(
            BenchmarkId::new("insert+lookup_remove", held),
            &held,
            |b, &held| {
                let mut m = RcptMap::new(DEFAULT_CAPACITY);
                prefault_rcpt(&mut m);
                let mut n = 0u64;
                while n < held {
                    m.insert(1, rcpt_key(n), rcpt_entry(n));
                    n += 1;
                }
                b.iter(|| {
                    let mut acc = 0u64;
                    for _ in 0..BATCH {
                        m.insert(1, rcpt_key(n), rcpt_entry(n));
                        acc += m
                            .lookup(1, black_box(rcpt_key(n - held)), true)
                            .map_or(0, |e| e.own_id);
                        n += 1;
                    }
                    // The shard expires once per timer tick; its compaction of stale order
                    // entries is part of the steady-state cost.
                    m.expire(5, 3600);
                    acc
                })
            },
        );
    }
    // The same keys and operations on a plain hashbrown map with IdHasher. (Its fmix64 finish
    // was measured here as a candidate, `hashmap_idhasher+fmix64` in RESULTS.md, and is now
    // IdHasher's own: a wrapper adding it again would mix twice.)
    for held in [10_000u64, 100_000, 1_000_000] {
        g.bench_with_input(
            BenchmarkId::new("hashmap_idhasher", held),
            &held,
            |b, &held| map_steady::<IdHasher>(b, held),
        );
    }
    // A full map: every insert evicts the oldest entry (receipts that never came).
    g.bench_function("insert_evicting_full_65536", |b| {
        let mut m = RcptMap::new(65_536);
        let mut n = 0u128;
        while n < 65_536 {
            m.insert(1, n, rcpt_entry(n as u64));
            n += 1;
        }
        b.iter(|| {
            for _ in 0..BATCH {
                m.insert(1, black_box(n), rcpt_entry(n as u64));
                n += 1;
            }
            m.evicted
        })
    });
    g.finish();
}

/// splitmix64 keys: spread over the whole table whatever the hasher.
fn random_key(state: &mut u64) -> u128 {
    let mut next = || {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (u128::from(next()) << 64 | u128::from(next())) & !(3 << 126)
}

/// Fills `m` to capacity with random keys and empties it again, so every page of its table has
/// been touched (see `map_steady`).
fn prefault_rcpt(m: &mut RcptMap) {
    let mut rng = 0x1234_5678_9ABC_DEF0u64;
    let keys: Vec<u128> = (0..DEFAULT_CAPACITY)
        .map(|_| random_key(&mut rng))
        .collect();
    for &k in &keys {
        m.insert(2, k, rcpt_entry(0));
    }
    for &k in &keys {
        m.lookup(2, k, true);
    }
    m.expire(5, 3600);
}

fn map_steady<H: Hasher + Default>(b: &mut criterion::Bencher<'_>, held: u64) {
    let mut m: HashMap<(u32, u128), RcptEntry, BuildHasherDefault<H>> =
        HashMap::with_capacity_and_hasher(DEFAULT_CAPACITY, BuildHasherDefault::default());
    // Touch the whole table once (random keys spread under any hasher), as a shard that has
    // run a while has: first-touch page faults are a start-up cost, not the steady state.
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..DEFAULT_CAPACITY {
        m.insert((1, random_key(&mut rng)), rcpt_entry(0));
    }
    m.clear();
    let mut n = 0u64;
    while n < held {
        m.insert((1, rcpt_key(n)), rcpt_entry(n));
        n += 1;
    }
    b.iter(|| {
        let mut acc = 0u64;
        for _ in 0..BATCH {
            m.insert((1, rcpt_key(n)), rcpt_entry(n));
            acc += m
                .remove(&(1, black_box(rcpt_key(n - held))))
                .map_or(0, |e| e.own_id);
            n += 1;
        }
        acc
    })
}

fn rcpt_entry(n: u64) -> RcptEntry {
    RcptEntry {
        own_id: n,
        account: 0,
        created: 5,
    }
}

/// A receipt deliver_sm as the SMSC simulator writes it (and most SMSCs do): Appendix B text
/// with a 9-digit hex id, receipted_message_id and message_state TLVs.
fn receipt_pdu(id: &[u8], seq: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(200);
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]);
    out.extend_from_slice(&seq.to_be_bytes());
    out.push(0); // service_type
    out.extend_from_slice(&[1, 1]);
    out.extend_from_slice(b"447700900123\0");
    out.extend_from_slice(&[5, 0]);
    out.extend_from_slice(b"SMSEDGE\0");
    out.extend_from_slice(&[0x04, 0, 0, 0, 0, 0, 0, 0, 0]);
    let text = [
        b"id:".as_slice(),
        id,
        b" sub:001 dlvrd:001 submit date:2611281230 done date:2611281230 stat:DELIVRD err:000 text:",
    ]
    .concat();
    out.push(text.len() as u8);
    out.extend_from_slice(&text);
    out.extend_from_slice(&tag::RECEIPTED_MESSAGE_ID.to_be_bytes());
    out.extend_from_slice(&(id.len() as u16 + 1).to_be_bytes());
    out.extend_from_slice(id);
    out.push(0);
    out.extend_from_slice(&tag::MESSAGE_STATE.to_be_bytes());
    out.extend_from_slice(&[0, 1, 2]);
    let len = out.len() as u32;
    out[..4].copy_from_slice(&len.to_be_bytes());
    out
}

/// The id work of one message with a receipt, as a shard does it: register the upstream key
/// from the submit_sm_resp; then, for the receipt, view it, take the upstream id, key it, find
/// the owner shard, look the key up (removing it: the receipt is final), and rebuild the
/// deliver_sm with the own id. (The codec-level `rewrite_receipt` alone is in the smpp bench.)
fn receipt_path(c: &mut Criterion) {
    let mut g = c.benchmark_group("idmap/receipt_path");
    g.throughput(Throughput::Elements(BATCH));
    let pdus: Vec<Vec<u8>> = (0..BATCH)
        .map(|i| {
            let mut b = [0u8; 16];
            receipt_pdu(hex_id(0x1_0000_0000 + i, &mut b), i as u32 + 1)
        })
        .collect();
    g.bench_function("insert+view+key+lookup+rewrite", |b| {
        let mut m = RcptMap::new(DEFAULT_CAPACITY);
        let mut gen = IdGen::new(0, 1_700_000_000_000);
        let mut out = Vec::with_capacity(256 * BATCH as usize);
        let mut idbuf = [0u8; 20];
        b.iter(|| {
            // The submit side: register the key from each submit_sm_resp.
            for i in 0..BATCH {
                let mut buf = [0u8; 16];
                let k = upstream_key(hex_id(0x1_0000_0000 + i, &mut buf), IdFormat::Text);
                m.insert(1, k, rcpt_entry(gen.next_id()));
            }
            out.clear();
            for f in &pdus {
                let v = SmView::parse(black_box(f)).expect("a valid receipt");
                debug_assert!(v.is_receipt());
                let up = receipt_message_id(&v).expect("has an id");
                let k = upstream_key(up, IdFormat::Text);
                let owner = key_owner(1, k, 1);
                let e = m.lookup(1, k, true).expect("registered");
                let own = format_id(e.own_id, &mut idbuf);
                rewrite_receipt(&v, own, owner as u32 + 7, &mut out).expect("rewrites");
            }
            // The shard's timer tick: compacts the order entries final receipts left behind.
            // Without it they pile up to the capacity, and `RcptMap::insert`'s eviction then
            // pops stale entries whose keys were inserted again since, removing live ones.
            m.expire(5, 3600);
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, id_gen, keys, own_map, rcpt_map, receipt_path);
criterion_main!(benches);
