//! Guest memory access: emu's loads and stores (one host instruction each,
//! any alignment) over a buffer that stands for guest memory.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use emu_memory::{load_u128, load_u32, load_u64, load_u8, store_u128, store_u32, store_u64};
use std::hint::black_box;

const BYTES: u64 = 64 << 10;

fn memory(c: &mut Criterion) {
    // 16 spare bytes so that the unaligned pass stays inside.
    let mut buf = vec![0u8; BYTES as usize + 16];
    let base = buf.as_mut_ptr() as u64;
    let mut g = c.benchmark_group("guest_memory");
    g.throughput(Throughput::Bytes(BYTES));
    g.bench_function("load_store_u64", |b| {
        b.iter(|| {
            for a in (base..base + BYTES).step_by(8) {
                store_u64(a, load_u64(a).wrapping_add(a));
            }
        })
    });
    g.bench_function("load_store_u32_unaligned", |b| {
        b.iter(|| {
            for a in (base + 1..base + 1 + BYTES).step_by(4) {
                store_u32(a, load_u32(a) ^ a as u32);
            }
        })
    });
    g.bench_function("load_store_u128", |b| {
        b.iter(|| {
            for a in (base..base + BYTES).step_by(16) {
                store_u128(a, load_u128(a).rotate_left(1));
            }
        })
    });
    g.bench_function("load_u8_sum", |b| {
        b.iter(|| black_box((base..base + BYTES).map(|a| u64::from(load_u8(a))).sum::<u64>()))
    });
    g.finish();
}

criterion_group!(benches, memory);
criterion_main!(benches);
