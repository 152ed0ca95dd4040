//! Ctrl-C during a sale (ours; spec/protocol.md §2: one client at a time, so a cancel must go on
//! the sale's own connection, never from a second process that would take the link over and
//! lose the sale's answer). The first Ctrl-C sends `cancel` through the sale's
//! [`Canceller`] and the sale's outcome is waited for and printed as
//! usual; a second one leaves at once, printing the referenceId to look up (the sale stays in the
//! file of unknown sales for the next run).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use synqpay_std::Canceller;

/// The exit status of a sale left by a second Ctrl-C: its outcome is unknown (`synqpay sale`'s
/// documented 3), not the shell's 130, so that a script reads what happened to the money.
pub const LEFT: i32 = 3;

/// Installs the handler for a sale `reference_id` run by a client with `canceller`. Once per
/// process (the CLI runs one sale).
pub fn on_ctrl_c(canceller: Canceller, reference_id: String) -> Result<(), String> {
    let presses = Arc::new(AtomicU8::new(0));
    ctrlc::set_handler(move || match presses.fetch_add(1, Ordering::SeqCst) {
        0 => {
            eprintln!("\ncancelling the sale on the device (Ctrl-C again to leave without waiting)");
            canceller.cancel();
        }
        _ => {
            eprintln!(
                "\nleft without the outcome of sale {reference_id}: look it up with \
                 `synqpay call getTransaction '{{\"lookupMethod\":\"REF_ID\",\"lookupValue\":\"{reference_id}\"}}'` \
                 (the next `synqpay sale` does it first)"
            );
            std::process::exit(LEFT);
        }
    })
    .map_err(|e| format!("installing the Ctrl-C handler: {e}"))
}
