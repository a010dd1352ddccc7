//! Seeds and the few random draws the generators share.
//!
//! Every table gets its own `ChaCha8Rng` from a sub-seed derived from the park seed and the
//! table's label, so that tables do not share a random stream.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The SplitMix64 finaliser: spreads the bits of `value` over the whole word.
pub(crate) fn mix64(value: u64) -> u64 {
    let mut mixed = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}

/// Derives the sub-seed of a labelled stream (a table, a concern) from the park seed.
pub(crate) fn derive_seed(seed: u64, label: &str) -> u64 {
    // FNV-1a of the label, then mixed with the seed.
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for byte in label.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01B3);
    }
    mix64(seed ^ mix64(hash))
}

/// Derives the sub-seed of the `index`-th item of a stream (an enterprise, a meter).
pub(crate) fn derive_indexed_seed(seed: u64, index: u64) -> u64 {
    mix64(seed ^ mix64(index.wrapping_add(0x5851_F42D_4C95_7F2D)))
}

/// Returns the random stream of a labelled concern.
pub(crate) fn stream(seed: u64, label: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive_seed(seed, label))
}

/// Returns the random stream of the `index`-th item of a labelled concern.
pub(crate) fn indexed_stream(seed: u64, label: &str, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive_indexed_seed(derive_seed(seed, label), index))
}

/// A uniform draw in `[low, high)` (`low` when the range is empty).
pub(crate) fn uniform(rng: &mut ChaCha8Rng, low: f64, high: f64) -> f64 {
    if high <= low {
        return low;
    }
    low + (high - low) * rng.random::<f64>()
}

/// A uniform draw in a `(low, high)` pair.
pub(crate) fn uniform_in(rng: &mut ChaCha8Rng, range: (f64, f64)) -> f64 {
    uniform(rng, range.0, range.1)
}

/// A log-uniform draw in `[low, high)`, for sizes spanning orders of magnitude.
pub(crate) fn log_uniform(rng: &mut ChaCha8Rng, low: f64, high: f64) -> f64 {
    if high <= low || low <= 0.0 {
        return low;
    }
    (low.ln() + (high.ln() - low.ln()) * rng.random::<f64>()).exp()
}

/// An integer draw in `[low, high]` (`low` when the range is empty).
pub(crate) fn integer(rng: &mut ChaCha8Rng, low: i64, high: i64) -> i64 {
    if high <= low {
        return low;
    }
    rng.random_range(low..=high)
}

/// An index draw in `[0, count)` (0 when `count` is 0).
pub(crate) fn index(rng: &mut ChaCha8Rng, count: usize) -> usize {
    if count <= 1 {
        return 0;
    }
    rng.random_range(0..count)
}

/// True with probability `probability` (clamped to [0, 1]).
pub(crate) fn chance(rng: &mut ChaCha8Rng, probability: f64) -> bool {
    rng.random::<f64>() < probability.clamp(0.0, 1.0)
}

/// An approximately standard-normal draw (Irwin–Hall sum of four uniforms, standardised):
/// portable, bounded to about ±3.5.
pub(crate) fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let sum: f64 = (0..4).map(|_| rng.random::<f64>()).sum();
    (sum - 2.0) / (1.0_f64 / 3.0).sqrt()
}

/// A multiplicative noise factor around 1 with the given relative spread, never below 0.05.
pub(crate) fn noise(rng: &mut ChaCha8Rng, relative_spread: f64) -> f64 {
    (1.0 + relative_spread * standard_normal(rng)).max(0.05)
}

/// Picks one item of a non-empty slice uniformly (the first when `items` has one item).
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> Option<&'a T> {
    items.get(index(rng, items.len()))
}

/// Picks an index according to non-negative weights (0 when all weights are 0 or none given).
pub(crate) fn weighted_index(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().filter(|weight| **weight > 0.0).sum();
    if total <= 0.0 {
        return 0;
    }
    let mut target = rng.random::<f64>() * total;
    let mut last_positive = 0;
    for (position, weight) in weights.iter().enumerate() {
        if *weight <= 0.0 {
            continue;
        }
        last_positive = position;
        if target < *weight {
            return position;
        }
        target -= weight;
    }
    last_positive
}

/// Picks an item according to a weight read from it.
pub(crate) fn weighted_pick<'a, T>(
    rng: &mut ChaCha8Rng,
    items: &'a [T],
    weight: impl Fn(&T) -> f64,
) -> Option<&'a T> {
    let weights: Vec<f64> = items.iter().map(weight).collect();
    items.get(weighted_index(rng, &weights))
}

/// Picks `count` distinct items (all of them when there are fewer), in the order drawn.
pub(crate) fn pick_distinct<T: Clone>(rng: &mut ChaCha8Rng, items: &[T], count: usize) -> Vec<T> {
    let mut positions: Vec<usize> = (0..items.len()).collect();
    let mut chosen = Vec::with_capacity(count.min(items.len()));
    while chosen.len() < count && !positions.is_empty() {
        let position = positions.remove(index(rng, positions.len()));
        if let Some(item) = items.get(position) {
            chosen.push(item.clone());
        }
    }
    chosen
}

/// Rounds to `decimals` decimal places.
pub(crate) fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10_f64.powi(decimals);
    (value * scale).round() / scale
}

/// Rounds down to `decimals` decimal places (for amounts that must not exceed a cap).
pub(crate) fn floor_to(value: f64, decimals: i32) -> f64 {
    let scale = 10_f64.powi(decimals);
    (value * scale).floor() / scale
}
