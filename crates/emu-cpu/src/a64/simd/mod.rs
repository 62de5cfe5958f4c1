//! Advanced SIMD: the vector and scalar AdvSIMD groups of the Arm manual's "Data
//! Processing -- Scalar Floating-Point and Advanced SIMD" encodings, and the
//! AdvSIMD load/store structure instructions.

use crate::decode::Encoding;

pub static ENCODINGS: &[Encoding] = &[];
