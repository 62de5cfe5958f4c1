//! Selecting a const-generic specialisation of a semantic function from decoded
//! bits, so the hot path has no branch on fields known at decode time.

/// `pick!(f, a)`, `pick!(f, a, b)`, `pick!(f, a, b, c)`: `f::<A, B, C>` for bools.
macro_rules! pick {
    ($f:ident, $a:expr) => {
        if $a {
            $f::<true> as $crate::state::ExecFn
        } else {
            $f::<false> as $crate::state::ExecFn
        }
    };
    ($f:ident, $a:expr, $b:expr) => {
        match ($a, $b) {
            (false, false) => $f::<false, false> as $crate::state::ExecFn,
            (false, true) => $f::<false, true>,
            (true, false) => $f::<true, false>,
            (true, true) => $f::<true, true>,
        }
    };
    ($f:ident, $a:expr, $b:expr, $c:expr) => {
        match ($a, $b, $c) {
            (false, false, false) => $f::<false, false, false> as $crate::state::ExecFn,
            (false, false, true) => $f::<false, false, true>,
            (false, true, false) => $f::<false, true, false>,
            (false, true, true) => $f::<false, true, true>,
            (true, false, false) => $f::<true, false, false>,
            (true, false, true) => $f::<true, false, true>,
            (true, true, false) => $f::<true, true, false>,
            (true, true, true) => $f::<true, true, true>,
        }
    };
}
