//! Peak stack: the free RAM below the current frame is painted with a pattern before the work
//! and scanned after it for the deepest word overwritten.

const PATTERN: u32 = 0xA5A5_A5A5;

unsafe extern "C" {
    /// The first byte after the firmware's statics (cortex-m-rt's linker script).
    static __sheap: u32;
}

/// Runs `work` and returns its result with the peak stack it used, in bytes.
#[inline(never)]
pub fn measured<T>(work: fn() -> T) -> (T, usize) {
    let marker = 0u32;
    let top = core::ptr::addr_of!(marker) as usize & !3;
    let bottom = (core::ptr::addr_of!(__sheap) as usize + 3) & !3;
    for addr in (bottom..top - 256).step_by(4) {
        // SAFETY: between the end of the statics and this frame lies free stack, which nothing
        // uses until `work` grows into it.
        unsafe { core::ptr::write_volatile(addr as *mut u32, PATTERN) };
    }
    let result = core::hint::black_box(work)();
    let deepest = (bottom..top - 256)
        .step_by(4)
        // SAFETY: as above, reading back the same range.
        .find(|&addr| unsafe { core::ptr::read_volatile(addr as *const u32) } != PATTERN)
        .unwrap_or(top);
    (result, top - deepest)
}

/// The top of the stack as [`paint`] found it: where the whole program's peak is counted from.
static PAINTED_TOP: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// Paints the free RAM below the caller's frame, for a program that never returns (an
/// executor's `run`): [`peak`] then reads the deepest word written since, interrupt handlers
/// included, as they run on the same stack.
#[inline(never)]
pub fn paint() {
    let marker = 0u32;
    let top = core::ptr::addr_of!(marker) as usize & !3;
    let bottom = (core::ptr::addr_of!(__sheap) as usize + 3) & !3;
    for addr in (bottom..top - 256).step_by(4) {
        // SAFETY: between the end of the statics and this frame lies free stack, which nothing
        // uses until the program grows into it.
        unsafe { core::ptr::write_volatile(addr as *mut u32, PATTERN) };
    }
    PAINTED_TOP.store(top, core::sync::atomic::Ordering::Relaxed);
}

/// The peak stack since [`paint`], in bytes from the frame that painted (`None` before it).
pub fn peak() -> Option<usize> {
    let top = PAINTED_TOP.load(core::sync::atomic::Ordering::Relaxed);
    if top == 0 {
        return None;
    }
    let bottom = (core::ptr::addr_of!(__sheap) as usize + 3) & !3;
    let deepest = (bottom..top - 256)
        .step_by(4)
        // SAFETY: the range `paint` wrote; words are only read.
        .find(|&addr| unsafe { core::ptr::read_volatile(addr as *const u32) } != PATTERN)
        .unwrap_or(top);
    Some(top - deepest)
}
