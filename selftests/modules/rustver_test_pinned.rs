// SPDX-License-Identifier: GPL-2.0

//! rustver selftest module: pinned initialisation through `pin_init` (`#[pin_data]`,
//! `pin_init!`), a kernel `Mutex` (`new_mutex!`) and `KBox`, so the module's imported
//! symbols name types of several crates.

use kernel::{new_mutex, prelude::*, sync::Mutex};

module! {
    type: RustverTestPinned,
    name: "rustver_test_pinned",
    authors: ["rustver"],
    description: "rustver selftest: Rust module using pin_init and kernel::sync",
    license: "GPL",
}

#[pin_data]
struct Counter {
    #[pin]
    values: Mutex<KVec<u64>>,
    label: u32,
}

struct RustverTestPinned {
    counter: Pin<KBox<Counter>>,
}

impl kernel::Module for RustverTestPinned {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let counter = KBox::pin_init(
            pin_init!(Counter {
                values <- new_mutex!(KVec::new()),
                label: 7,
            }),
            GFP_KERNEL,
        )?;
        let total: u64 = {
            let mut values = counter.values.lock();
            for v in [3u64, 5, 8] {
                values.push(v, GFP_KERNEL)?;
            }
            values.iter().sum()
        };
        pr_info!("loaded, counter {} total {}\n", counter.label, total);
        Ok(Self { counter })
    }
}

impl Drop for RustverTestPinned {
    fn drop(&mut self) {
        let n = self.counter.values.lock().len();
        pr_info!("unloaded, {} values\n", n);
    }
}
