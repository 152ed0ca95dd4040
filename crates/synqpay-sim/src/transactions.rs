//! Payments as the device runs them (spec/api.md `startTransaction`, `continueTransaction`,
//! `cancel`, `getTransaction`, "TransactionResult", "Member types"; spec/protocol.md §5 states,
//! §6 money safety): steps with `transactionEvent`s, UPDATE and REFERRAL stops, outcomes by
//! amount (ours, `Outcome`), transaction types, and the stored transactions lookups find.

use synqpay_rpc::{
    Cancel, CommandStatus, ContinueTransaction, CreditTerms, EventType, GetTransaction,
    GetTransactionResult, LookupMethod, Method, Null, PaymentType, RawJson, ResultCode,
    RpcErrorCode, StartTransaction, StartTransactionParams, Text, Transaction, TransactionEvent,
    TransactionResult, TransactionStatus, TransactionType,
};
use synqpay_session::ReplyTo;

use synqpay_session::terminal::{CONTINUE_MS, Outcome};

use crate::app::{App, SimDevice, illegal, invalid, refuse};
use crate::face::LastSale;
use crate::hand::{Decide, Hold};
use crate::params;
use crate::prompts::Prompt;
use crate::records::with_transaction;
use crate::scenario::Stop;
use crate::state::{LinkAction, Running, State, Stored};

/// The credit terms the simulated host allows after UPDATE.
fn allowed_terms() -> Option<heapless::Vec<CreditTerms<'static>, 8>> {
    let mut terms = heapless::Vec::new();
    let _ = terms.push(CreditTerms::Regular);
    let _ = terms.push(CreditTerms::Installments);
    Some(terms)
}

/// The events of a transaction, in the order a device sends them (spec/api.md "Event"; the flows
/// are ours, from the event types): the tip screen when asked; with a card present, waiting for
/// it, its detection and the PIN; card not present (MOTO), its number, CVV and the card holder's
/// id; a confirmation for credit terms; the authorization. A VOID or CAPTURE goes straight to
/// the host.
fn flow(p: &StartTransactionParams<'_>) -> Vec<EventType<'static>> {
    use EventType as E;
    if matches!(
        p.transaction_type,
        TransactionType::Void | TransactionType::Capture
    ) {
        return vec![E::AuthorizationStarted];
    }
    let mut steps = Vec::new();
    if p.tip_screen == Some(true) {
        steps.push(E::TipSelection);
    }
    match p.payment_type {
        Some(PaymentType::Moto) => {
            steps.extend([E::EnterCardDetails, E::EnterCvv, E::EnterCardholderId]);
        }
        _ => steps.extend([E::WaitingForCard, E::CardDetected, E::PinStarted]),
    }
    if matches!(
        p.credit_terms,
        Some(CreditTerms::Credit | CreditTerms::Installments)
    ) {
        steps.push(E::CreditConformation);
    }
    steps.push(E::AuthorizationStarted);
    steps
}

/// The status an approved transaction of `kind` ends in (spec/api.md "Member types"): an
/// approved SALE is CAPTURED, an AUTH_ONLY AUTHORIZED (a CAPTURE then makes it CAPTURED), a
/// VOID makes the original VOIDED. A REFUND is a credit to the card, never "charged", and
/// "charged" is AUTHORIZED, CAPTURED, SETTLED or DEPOSITED (spec/api.md "Enums"): so an approved
/// REFUND, like a BALANCE inquiry, is INFORMATIVE (ours: the one status left that is neither a
/// charge nor a refusal), and settlement leaves it so.
fn approved_status(kind: &TransactionType<'_>) -> TransactionStatus<'static> {
    match kind {
        TransactionType::AuthOnly => TransactionStatus::Authorized,
        TransactionType::Void => TransactionStatus::Voided,
        TransactionType::Refund | TransactionType::Balance => TransactionStatus::Informative,
        _ => TransactionStatus::Captured,
    }
}

impl App {
    /// `startTransaction`: a payment, or a VOID or CAPTURE of one (spec/api.md).
    pub(crate) fn start_transaction(
        &mut self,
        now: u64,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        let Some(p) = params::decode::<StartTransaction>(device, &reply, params) else {
            return;
        };
        if let Err(refusal) = params::start_transaction(&p) {
            return refusal.send(device, &reply);
        }
        // The simulated terminal takes credit cards only (spec/api.md: CREDIT_CARD; ours: any
        // other method is 300 PaymentMethodDisabled).
        if p.payment_method
            .is_some_and(|m| m != synqpay_rpc::PaymentMethod::CreditCard)
        {
            return refuse(device, &reply, RpcErrorCode::PaymentMethodDisabled);
        }
        let reference = p.reference_id.to_string();
        let names_original = matches!(
            p.transaction_type,
            TransactionType::Void | TransactionType::Capture
        );
        let mut amount = p.amount.unwrap_or(0);
        if names_original {
            // VOID and CAPTURE name the original referenceId (spec/api.md): it must be
            // known (302) and in a status they apply to (304).
            let Some(original) = self.stored.iter().find(|s| s.reference_id == reference) else {
                return refuse(device, &reply, RpcErrorCode::TransactionNotFound);
            };
            let applies = match p.transaction_type {
                TransactionType::Void => matches!(
                    original.status,
                    TransactionStatus::Authorized | TransactionStatus::Captured
                ),
                _ => {
                    original.status == TransactionStatus::Authorized
                        && original.running.transaction_type == "AUTH_ONLY"
                }
            };
            if !applies {
                return refuse(device, &reply, RpcErrorCode::IllegalTransactionStatus);
            }
            amount = original.running.amount;
        } else {
            if self.references.contains(&reference) {
                return refuse(device, &reply, RpcErrorCode::TransactionAlreadyExist);
            }
            self.references.push(reference.clone());
        }
        // The scenario's rule for this payment, if it has one (ours, `Scenario`).
        let rule = self.config.scenario.payment(&reference, amount).cloned();
        let rule = rule.as_ref();
        let stop = rule.and_then(|r| r.stop);
        // A VOID or CAPTURE of a transaction the device holds goes through (ours).
        let outcome = match rule.and_then(|r| r.outcome) {
            _ if stop == Some(Stop::Referral) => Outcome::Referral,
            _ if names_original => Outcome::Approve,
            Some(outcome) => outcome,
            None => Outcome::for_amount(amount),
        };
        let step_ms = rule.and_then(|r| r.step_ms).unwrap_or(self.config.step_ms);
        self.screen = format!("TRANSACTION: {reference}");
        self.state = State::Transaction(Running {
            reply,
            reference_id: reference,
            transaction_type: p.transaction_type.name().to_string(),
            amount,
            tip: p.tip_amount.unwrap_or(0),
            credit_terms: p.credit_terms.map(|t| t.name().to_string()),
            currency: p.currency.unwrap_or(376),
            events: p.notify_events == Some(true),
            outcome,
            update: p.notify_update == Some(true) || stop == Some(Stop::Update),
            steps: rule
                .and_then(|r| r.events.clone())
                .unwrap_or_else(|| flow(&p)),
            step: 0,
            due: now + step_ms,
            step_ms,
            disconnect_at: rule.and_then(|r| r.disconnect_at),
            reboot_at: rule.and_then(|r| r.reboot_at),
            hold: None,
            hold_until: 0,
        });
    }

    /// `continueTransaction`: after an UPDATE or REFERRAL stop, within 60 s.
    pub(crate) fn continue_transaction(
        &mut self,
        now: u64,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        let State::WaitingContinue { running, .. } = &self.state else {
            return illegal(device, &reply);
        };
        let Some(params) = params::decode::<ContinueTransaction>(device, &reply, params) else {
            return;
        };
        let mut running = running.clone();
        running.reply = reply;
        if running.outcome == Outcome::Referral {
            // The voice authorization number settles the referral.
            return self.complete(device, running, Outcome::Approve);
        }
        // After UPDATE: new terms or amount, then the rest of the steps.
        running.amount = params.new_amount.unwrap_or(running.amount);
        running.due = now + running.step_ms;
        self.screen = "TRANSACTION: continued".into();
        self.state = State::Transaction(running);
    }

    /// `cancel`: stops the running transaction named by its referenceId.
    /// `cancel` of a screen method: it names the prompt's `commandId` (spec/api.md); the
    /// prompt then answers CANCELED. One the caller made not cancelable stays (201).
    fn cancel_prompt(
        &mut self,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
        prompt: Prompt,
    ) {
        match Cancel::decode_params(params) {
            Ok(_) if !prompt.cancelable => illegal(device, &reply),
            Ok(p) if prompt.is_named(&p.reference_id) => {
                let _ = device.respond(&reply, &Null);
                prompt.answer(device, ResultCode::Canceled);
                self.become_idle("IDLE (prompt cancelled)");
            }
            Ok(_) => refuse(device, &reply, RpcErrorCode::TransactionNotFound),
            Err(e) => params::undecodable::<Cancel>(device, &reply, &e, params),
        }
    }

    pub(crate) fn cancel(
        &mut self,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        let (target, answered) = match &self.state {
            State::Transaction(r) => (r.clone(), false),
            State::WaitingContinue { running, .. } => (running.clone(), true),
            State::Prompt(prompt) => {
                let prompt = prompt.clone();
                return self.cancel_prompt(device, reply, params, prompt);
            }
            _ => return illegal(device, &reply),
        };
        // `cancel` names the running request by its referenceId (spec/api.md).
        match Cancel::decode_params(params) {
            Ok(p) if p.reference_id == target.reference_id.as_str() => {}
            Ok(_) => return refuse(device, &reply, RpcErrorCode::TransactionNotFound),
            Err(e) => return params::undecodable::<Cancel>(device, &reply, &e, params),
        }
        let _ = device.respond(&reply, &Null);
        // The cancelled request answers too (spec/api.md "cancel"), unless it was
        // answered already with an UPDATE or REFERRAL stop.
        if answered {
            self.become_idle("IDLE (cancelled)");
        } else {
            self.end_without_charge(device, target, ResultCode::Canceled);
        }
    }

    /// Ends a transaction that charged nothing (cancelled, the card removed, timed out):
    /// answered with `result` and no transaction, nothing stored.
    pub(crate) fn end_without_charge(
        &mut self,
        device: &mut SimDevice,
        running: Running,
        result: ResultCode<'static>,
    ) {
        let answer = TransactionResult {
            command_status: Some(CommandStatus::Completed),
            ..TransactionResult::new(result)
        };
        let _ = device.respond(&running.reply, &answer);
        self.last = Some(LastSale::not_charged(&running, result));
        self.become_idle(&format!("IDLE (last: {} {result})", running.reference_id));
    }

    /// `getTransaction`: by REF_ID, TRANS_ID or LAST_TRANS; 302 when not found.
    pub(crate) fn get_transaction(
        &mut self,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        let Some(p) = params::decode::<GetTransaction>(device, &reply, params) else {
            return;
        };
        if let Err(refusal) = params::get_transaction(&p) {
            return refusal.send(device, &reply);
        }
        let value = p.lookup_value.map(|v| v.to_string()).unwrap_or_default();
        let found = match p.lookup_method {
            LookupMethod::RefId => self.stored.iter().find(|s| s.reference_id == value),
            LookupMethod::TransId => self.stored.iter().find(|s| s.transaction_id == value),
            LookupMethod::LastTrans => self.stored.last(),
            LookupMethod::Unknown(_) => return invalid(device, &reply, "lookupMethod"),
        };
        let Some(found) = found else {
            return refuse(device, &reply, RpcErrorCode::TransactionNotFound);
        };
        with_transaction(
            &found.running,
            &found.transaction_id,
            &found.time,
            found.status,
            |transaction| {
                let result = GetTransactionResult {
                    transaction_result: Some(ResultCode::Ok),
                    transaction: Some(*transaction),
                    ..GetTransactionResult::default()
                };
                let _ = device.respond(&reply, &result);
            },
        );
    }

    pub(crate) fn step(&mut self, now: u64, device: &mut SimDevice, running: Running, step: usize) {
        let steps = &running.steps;
        let after = |events: &[EventType<'_>]| {
            steps
                .iter()
                .position(|e| events.contains(e))
                .map_or(0, |i| i + 1)
        };
        // A card that never comes: the flow stops where the card (or its details) is awaited.
        let last_event = match running.outcome {
            Outcome::Timeout => after(&[EventType::WaitingForCard, EventType::EnterCardDetails]),
            _ => steps.len(),
        };
        // Once the card is read, a transaction that asked `notifyUpdate` stops with UPDATE and
        // waits for `continueTransaction` (spec/api.md "TransactionResult").
        let card_read = after(&[EventType::CardDetected, EventType::EnterCardholderId]);
        if step == card_read && running.update {
            let result = TransactionResult {
                command_status: Some(CommandStatus::Update),
                allowed_credit_terms: allowed_terms(),
                max_number_installment_payments: Some(12),
                ..TransactionResult::new(ResultCode::Ok)
            };
            let _ = device.respond(&running.reply, &result);
            self.screen = "WAITING FOR CONTINUE (update)".into();
            let running = Running {
                update: false,
                step,
                ..running
            };
            self.state = State::WaitingContinue {
                running,
                until: now + CONTINUE_MS,
            };
            return;
        }
        if step < last_event {
            let event_type = steps[step];
            // A scenario's dropped connection: the device runs on, its answers to nobody (or
            // to the cache, when on).
            if running.disconnect_at == Some(event_type) {
                self.link = LinkAction::Drop;
            }
            if running.reboot_at == Some(event_type) {
                return self.reboot_during(now, running, event_type);
            }
            self.screen = format!("TRANSACTION: {event_type}");
            if running.events {
                let _ = device.notify("transactionEvent", &TransactionEvent { event_type });
            }
            // By hand, the sale waits here for the card or the PIN (hand.rs).
            if self.decide == Decide::ByHand
                && let Some(hold) = Hold::at(event_type)
                && let State::Transaction(r) = &mut self.state
            {
                r.hold = Some(hold);
                r.hold_until = now + self.config.card_wait_ms;
            }
            return;
        }
        // A card that never comes: the device waits its whole card wait.
        let card_wait_steps = (self.config.card_wait_ms / self.config.step_ms.max(1)) as usize;
        match running.outcome {
            Outcome::Timeout if step < last_event + card_wait_steps => {}
            Outcome::Referral => {
                let result = TransactionResult {
                    command_status: Some(CommandStatus::Referral),
                    ..TransactionResult::new(ResultCode::Ok)
                };
                let _ = device.respond(&running.reply, &result);
                self.screen = "WAITING FOR CONTINUE (referral)".into();
                self.state = State::WaitingContinue {
                    running,
                    until: now + CONTINUE_MS,
                };
            }
            outcome => self.complete(device, running, outcome),
        }
    }

    /// A scenario's reboot in the middle of a transaction (ours): at AUTHORIZATION_STARTED the
    /// host has decided, so the transaction is recorded with its outcome and its answer never
    /// sent (the client must look it up, spec/protocol.md §6); earlier, nothing was charged.
    fn reboot_during(&mut self, now: u64, running: Running, at: EventType<'static>) {
        if at == EventType::AuthorizationStarted {
            let outcome = running.outcome;
            self.record(running, outcome);
        }
        self.reboot_now(now);
    }

    /// Ends a transaction with `outcome`, answers it, and remembers it.
    fn complete(&mut self, device: &mut SimDevice, running: Running, outcome: Outcome) {
        let reply = running.reply;
        let r = self.record(running, outcome);
        let _ = match r.status {
            Some(status) => with_transaction(&r.running, &r.transaction_id, &r.time, status, |t| {
                device.respond(&reply, &completed(r.result, Some(*t)))
            }),
            None => device.respond(&reply, &completed(r.result, None)),
        };
    }

    /// Ends a transaction with `outcome` and remembers it: a new transaction is stored, a VOID
    /// or CAPTURE changes its original's status (spec/api.md).
    fn record(&mut self, running: Running, outcome: Outcome) -> Recorded {
        let kind = TransactionType::from_text(Text::new(&running.transaction_type));
        let (result, status) = match outcome {
            Outcome::Approve | Outcome::Referral => (ResultCode::Ok, Some(approved_status(&kind))),
            Outcome::Decline => (ResultCode::Ok, Some(TransactionStatus::Declined)),
            Outcome::HostError => (ResultCode::HostError, None),
            Outcome::Timeout => (ResultCode::Timeout, None),
        };
        self.become_idle(&format!(
            "IDLE (last: {} {})",
            running.reference_id,
            status.map_or("not charged".into(), |s| s.to_string())
        ));
        let original = matches!(kind, TransactionType::Void | TransactionType::Capture)
            .then(|| {
                self.stored
                    .iter()
                    .position(|s| s.reference_id == running.reference_id)
            })
            .flatten();
        let transaction_id = match original {
            Some(i) => self.stored[i].transaction_id.clone(),
            None => format!("2611{:019}", self.next_transaction),
        };
        self.next_transaction += 1;
        let time = crate::clock::now_rfc3339();
        match (status, original) {
            (Some(status), Some(i)) if result == ResultCode::Ok => self.stored[i].status = status,
            (Some(status), None) => self.stored.push(Stored {
                reference_id: running.reference_id.clone(),
                transaction_id: transaction_id.clone(),
                running: running.clone(),
                status,
                time: time.clone(),
                settled: false,
            }),
            _ => {}
        }
        self.last = Some(LastSale::of(&running, result, status));
        Recorded {
            result,
            status,
            running,
            transaction_id,
            time,
        }
    }
}

/// The answer of a transaction that ran to its end.
fn completed<'a>(
    result: ResultCode<'a>,
    transaction: Option<Transaction<'a>>,
) -> TransactionResult<'a> {
    TransactionResult {
        command_status: Some(CommandStatus::Completed),
        transaction,
        ..TransactionResult::new(result)
    }
}

/// What a transaction ended with: its `result` and status, and what its answer shows.
struct Recorded {
    result: ResultCode<'static>,
    status: Option<TransactionStatus<'static>>,
    running: Running,
    transaction_id: String,
    time: String,
}
