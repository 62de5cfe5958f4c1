//! Criterion micro-benchmarks of emu's internals (see the `[[bench]]`
//! targets). The library itself is empty; it exists so the benchmarks have
//! a package to live in. Run them with `cargo bench -p emu-benches`.
