//! embassy-time on SysTick: `Instant`, `Timer` and `with_timeout` for every task.
//!
//! The time base is the board's SysTick, which `mps2_an386::clock` runs at 1 kHz and whose
//! handler (the board crate's, so that firmwares share one) counts milliseconds; `now` adds the
//! microseconds SysTick's counter has run since the last tick, so the tick rate is embassy's
//! default, 1 MHz.
//!
//! The alarm is polled, because the board crate owns the SysTick handler (a second one does not
//! link) and it wakes nobody: the [`alarm`] task wakes the timers that are due and queues itself
//! again **without** a SEV, so the thread-mode executor does not spin on it. It runs again at the
//! executor's next pass: as soon as another task was woken, or after the next SysTick
//! interrupt ends the executor's WFE (at the latest 1 ms later). A timer therefore fires within
//! about 1 ms of its deadline, as with any 1 kHz tick. (Under qemu, WFE does not sleep, and the
//! polled UART keeps the executor busy anyway; on a board with a UART interrupt and a SysTick
//! handler of the firmware's own, the alarm would be set from the handler instead.)

use core::cell::RefCell;
use core::future::poll_fn;
use core::task::{Poll, Waker};

use embassy_executor::raw;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;
use mps2_an386::clock;

/// The timers that wait, ordered by deadline (embassy's integrated queue: one entry per task,
/// kept in the task itself).
pub struct SysTickDriver {
    queue: Mutex<CriticalSectionRawMutex, RefCell<Queue>>,
}

impl SysTickDriver {
    const fn new() -> Self {
        Self {
            queue: Mutex::new(RefCell::new(Queue::new())),
        }
    }

    /// Wakes the timers whose deadline has passed.
    fn fire_due(&self) {
        let now = self.now();
        self.queue.lock(|queue| {
            queue.borrow_mut().next_expiration(now);
        });
    }
}

impl Driver for SysTickDriver {
    /// Microseconds since `clock::start` (SysTick's millisecond count and its counter).
    fn now(&self) -> u64 {
        clock::micros()
    }

    /// Queues `waker` for `at`; the [`alarm`] task wakes it once `now` has reached `at`.
    fn schedule_wake(&self, at: u64, waker: &Waker) {
        self.queue.lock(|queue| {
            queue.borrow_mut().schedule_wake(at, waker);
        });
    }
}

// The driver embassy-time calls (`Instant::now`, `Timer`). The macro exports two functions by
// symbol name (`#[unsafe(no_mangle)]`) for embassy-time to link against: the one unsafe
// attribute a time driver requires, inside embassy's macro.
embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver::new());

/// The alarm: wakes the timers that are due at each pass of the executor. Spawn it before
/// anything awaits a timer; it never ends.
#[embassy_executor::task]
pub async fn alarm() -> ! {
    poll_fn(|cx| {
        DRIVER.fire_due();
        // Queued for the next pass without the pender's SEV: the executor still sleeps until
        // another task is woken or the next SysTick interrupt.
        raw::wake_task_no_pend(raw::task_from_waker(cx.waker()));
        Poll::Pending
    })
    .await
}
