//! What each method of spec/api.md needs and can answer on the simulated device: the state
//! table of spec/protocol.md §5 (`synqpay_session::terminal::RULES`), the errors that follow
//! from it (201, and 202/203/301 for what the device lacks, ours), the parameter errors (102,
//! 103), each method's own errors (spec/api.md), and the tests that show them. The table in
//! this crate's README is generated from it by a test (`tests/method_table.rs`), which also
//! sends every method in and out of its state.

use synqpay_rpc::{
    Authenticate, Cancel, CaptureSignature, ContinueTransaction, Deposit, GetBatchFileStatus,
    GetConfig, GetDeviceInfo, GetSettlement, GetStatus, GetTerminalStatus, GetTransaction, Method,
    Pair, QuerySettlements, ReadCard, Reboot, Restart, RpcErrorCode, SetConfig, Settlement, ShowQr,
    StartTransaction, UploadLogs, UserInput, UserSelection,
};
use synqpay_session::terminal::{Needs, Rule, rule_of};

/// Whether a method takes parameters the device checks (102 when one it needs is missing, 103
/// when one does not fit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Params {
    /// None (`params` null or absent), or of a shape the spec leaves open, accepted as they
    /// come (`querySettlements`).
    Unchecked,
    /// Some, checked.
    Checked,
}

/// One method: its parameters, its own errors, and the tests that show its behaviour.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The wire name.
    pub method: &'static str,
    /// Whether it takes parameters.
    pub params: Params,
    /// Errors of its own (spec/api.md), beyond its state's and its parameters'.
    pub errors: &'static [RpcErrorCode],
    /// Tests of this crate (`tests/*.rs`) that show it, besides `tests/method_table.rs`.
    pub tests: &'static [&'static str],
}

const fn entry<M: Method>(
    params: Params,
    errors: &'static [RpcErrorCode],
    tests: &'static [&'static str],
) -> Entry {
    Entry {
        method: M::NAME,
        params,
        errors,
        tests,
    }
}

use Params::{Checked, Unchecked};
use RpcErrorCode as E;

/// Every method of spec/api.md, in its order.
pub const CATALOG: &[Entry] = &[
    entry::<Pair>(
        Checked,
        &[],
        &["five_wrong_pairing_codes_close_the_pairing"],
    ),
    entry::<Authenticate>(Checked, &[], &["four_wrong_codes_then_the_right_one_pairs"]),
    entry::<GetStatus>(
        Unchecked,
        &[],
        &[
            "get_status_reports_transaction_during_a_sale_and_idle_after",
            "a_screen_off_or_busy_is_reported_and_refuses_what_needs_it_with_202",
        ],
    ),
    entry::<GetDeviceInfo>(Unchecked, &[], &[]),
    entry::<GetTerminalStatus>(
        Unchecked,
        &[],
        &["an_unreachable_host_refuses_payments_with_301_and_the_terminal_says_not_ready"],
    ),
    entry::<StartTransaction>(
        Checked,
        &[
            E::PaymentMethodDisabled,
            E::TransactionNotFound,
            E::TransactionAlreadyExist,
            E::IllegalTransactionStatus,
        ],
        &[
            "transaction_types_end_as_the_api_says",
            "reused_reference_is_303_and_never_charged_twice",
            "void_and_capture_of_what_cannot_be_are_refused",
            "an_unknown_host_or_payment_method_is_refused_by_its_code",
            "outcomes_follow_the_amount_and_unknown_is_not_declined",
            "a_payment_missing_a_required_member_is_102_naming_it",
            "a_payment_with_a_value_out_of_its_range_is_103_naming_it",
        ],
    ),
    entry::<ContinueTransaction>(
        Checked,
        &[],
        &[
            "update_stop_then_continue_with_a_new_amount",
            "referral_stop_then_continue_with_an_authorization_number",
        ],
    ),
    entry::<Cancel>(
        Checked,
        &[E::TransactionNotFound],
        &[
            "cancel_names_the_running_transaction",
            "a_prompt_is_cancelled_by_its_command_id_and_times_out_by_its_timeout",
        ],
    ),
    entry::<GetTransaction>(
        Checked,
        &[E::TransactionNotFound],
        &[
            "approved_sale_is_captured_and_lookup_by_reference_agrees",
            "lookup_of_unknown_reference_is_302",
            "a_lookup_without_its_value_is_102",
        ],
    ),
    entry::<GetBatchFileStatus>(
        Unchecked,
        &[],
        &[
            "settlement_makes_the_batch_settled",
            "a_declined_sale_is_never_in_a_batch_nor_settled",
        ],
    ),
    entry::<Settlement>(
        Checked,
        &[E::HostDisabled],
        &[
            "settlement_makes_the_batch_settled",
            "a_settlement_runs_in_settlement_and_is_answered_when_done",
        ],
    ),
    entry::<GetSettlement>(
        Checked,
        &[E::HostDisabled],
        &[
            "settlements_are_numbered_and_found_again",
            "a_lookup_without_its_value_is_102",
        ],
    ),
    entry::<QuerySettlements>(
        Unchecked,
        &[],
        &["settlements_are_numbered_and_found_again"],
    ),
    entry::<Deposit>(
        Checked,
        &[E::IllegalRequest, E::HostDisabled],
        &["an_unknown_host_or_payment_method_is_refused_by_its_code"],
    ),
    entry::<ReadCard>(
        Checked,
        &[],
        &[
            "read_card_waits_in_read_card_then_the_cardholder_answers",
            "screen_methods_outside_their_documented_values_are_103_naming_the_member",
        ],
    ),
    entry::<UserInput>(
        Checked,
        &[],
        &[
            "a_prompt_is_cancelled_by_its_command_id_and_times_out_by_its_timeout",
            "screen_methods_outside_their_documented_values_are_103_naming_the_member",
        ],
    ),
    entry::<UserSelection>(
        Checked,
        &[],
        &["screen_methods_outside_their_documented_values_are_103_naming_the_member"],
    ),
    entry::<CaptureSignature>(
        Checked,
        &[],
        &["screen_methods_outside_their_documented_values_are_103_naming_the_member"],
    ),
    entry::<ShowQr>(Checked, &[], &[]),
    entry::<GetConfig>(
        Unchecked,
        &[],
        &["the_configuration_is_typed_and_set_member_by_member"],
    ),
    entry::<SetConfig>(
        Checked,
        &[],
        &["the_configuration_is_typed_and_set_member_by_member"],
    ),
    entry::<UploadLogs>(Unchecked, &[], &["an_upload_of_logs_runs_in_upload_logs"]),
    entry::<Reboot>(
        Unchecked,
        &[],
        &["a_reboot_is_answered_then_the_device_is_in_system_and_comes_back_idle"],
    ),
    entry::<Restart>(Unchecked, &[], &[]),
];

/// The entry of `method`.
pub fn entry_of(method: &str) -> Option<&'static Entry> {
    CATALOG.iter().find(|e| e.method == method)
}

/// Every error `method` can answer on the simulated device, in code order: its state's (201),
/// what the device may lack (202, 203, 301), its parameters' (102, 103) and its own.
pub fn errors(method: &str) -> Vec<RpcErrorCode> {
    let mut out = Vec::new();
    if let Some(rule) = rule_of(method) {
        if rule.needs != Needs::Any {
            out.push(RpcErrorCode::IllegalState);
        }
        out.extend(rule.resources.iter().map(|r| r.error()));
    }
    if let Some(entry) = entry_of(method) {
        if entry.params == Params::Checked {
            out.extend([RpcErrorCode::MissingParams, RpcErrorCode::InvalidParams]);
        }
        out.extend(entry.errors.iter().copied());
    }
    out.sort_by_key(|c| c.code());
    out.dedup();
    out
}

fn needs_text(rule: &Rule) -> &'static str {
    match rule.needs {
        Needs::Any => "any",
        Needs::Idle => "IDLE",
        Needs::Pairing => "PAIRING",
        Needs::WaitingContinue => "WAITING_FOR_CONTINUE",
        Needs::Cancelable => "a cancelable one",
    }
}

/// The README's method table, as Markdown.
pub fn markdown() -> String {
    let mut out = String::from(
        "| method | state needed | state while it runs | errors | tests |\n|---|---|---|---|---|\n",
    );
    for entry in CATALOG {
        let Some(rule) = rule_of(entry.method) else {
            continue;
        };
        let during = rule
            .during
            .map_or_else(|| "—".to_string(), |s| s.to_string());
        let errors = errors(entry.method)
            .iter()
            .map(|c| format!("{} {}", c.code(), c.name()))
            .collect::<Vec<_>>()
            .join(", ");
        let tests = entry
            .tests
            .iter()
            .chain(["every_method_in_and_out_of_its_state"].iter())
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            entry.method,
            needs_text(rule),
            during,
            if errors.is_empty() { "—" } else { &errors },
            tests
        ));
    }
    out
}
