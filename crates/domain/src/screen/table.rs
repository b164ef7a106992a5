//! Hash tables for the screen's word lists. The keys are the lists' own
//! words, fixed when they are loaded; a child's text only looks words up,
//! so a fast hash (FNV-1a) is safe here: nothing a child types can grow a
//! table or lengthen its chains. The standard hasher cost a fifth of the
//! screen's time, on every word of every text.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(super) type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub(super) type Set<K> = HashSet<K, BuildHasherDefault<Fnv>>;
