//! The bits of qemu's mps2-an386 board (Cortex-M4, 25 MHz) that the example firmwares share:
//! time from SysTick for the synqpay drivers, the CMSDK UART as an `embedded-io` transport, peak
//! stack measurement, and a stand-in RNG. `unsafe` register access lives here, in the examples'
//! board support, never in the synqpay crates.
#![no_std]

pub mod clock;
#[cfg(feature = "rng")]
pub mod rng;
pub mod stack;
pub mod uart;

/// mps2-an386's core and peripheral clock.
pub const CORE_HZ: u32 = 25_000_000;
/// The base address of UART0.
pub const UART0: usize = 0x4000_4000;
