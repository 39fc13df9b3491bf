// SPDX-License-Identifier: GPL-2.0

//! rustver selftest module: plain Rust, importing from the `kernel` crate (printing,
//! allocation) and from `core` (formatting).
//!
//! On load it prints "loaded, squares [1, 4, 9, 16] sum 30". Built against tree B
//! (whose `kernel::print::call_printk` takes its parameters in another order) and
//! loaded on kernel A, the same line comes out wrong: the tests look for it.

use kernel::prelude::*;

module! {
    type: RustverTestHello,
    name: "rustver_test_hello",
    authors: ["rustver"],
    description: "rustver selftest: Rust module importing kernel and core",
    license: "GPL",
}

struct RustverTestHello {
    squares: KVec<u32>,
}

impl kernel::Module for RustverTestHello {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut squares = KVec::with_capacity(4, GFP_KERNEL)?;
        for i in 1..=4u32 {
            squares.push(i * i, GFP_KERNEL)?;
        }
        let sum: u32 = squares.iter().sum();
        pr_info!("loaded, squares {:?} sum {}\n", &squares[..], sum);
        Ok(Self { squares })
    }
}

impl Drop for RustverTestHello {
    fn drop(&mut self) {
        pr_info!("unloaded, {} squares\n", self.squares.len());
    }
}
