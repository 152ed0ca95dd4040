//! Sales as the script runs them (spec/api.md `startTransaction`, `continueTransaction`,
//! `cancel`, "TransactionResult", "Event"; spec/protocol.md §5 states, §6 money): one step per
//! `step_ms`, each with its event, then the answer its outcome gives.

use synqpay_rpc::{
    CommandStatus, EventType, MAX_REFERENCE_ID, Null, ResultCode, RpcErrorCode, Text, Transaction,
    TransactionEvent, TransactionResult, TransactionStatus, TransactionType,
};

use super::ScriptedTerminal;
use super::call::Target;
use super::reply::Refusal;
use super::rules::{CARD_WAIT_MS, CONTINUE_MS, Outcome};
use super::scripted::State;
use crate::{Buffer, Delivery, ReplyTo, RespondError};

/// A `referenceId` the terminal keeps (spec/api.md: 1 to 64 characters).
pub(super) type Reference = heapless::String<MAX_REFERENCE_ID>;

/// The events of a sale, one per step, in the order a device sends them (spec/api.md "Event";
/// ours: a card tapped, no PIN).
const STEPS: [EventType<'static>; 3] = [
    EventType::WaitingForCard,
    EventType::CardDetected,
    EventType::AuthorizationStarted,
];

/// Whether a sale sends its events (spec/api.md: `notifyEvents: true`).
pub(super) enum Events {
    /// It asked for them.
    Notify,
    /// It did not.
    Quiet,
}

/// A `startTransaction` as the script reads it.
pub(super) struct Start {
    pub(super) reference: Reference,
    pub(super) amount: i64,
    pub(super) events: Events,
}

/// A sale in progress: whom to answer, what it is, how far it got.
pub(super) struct Sale {
    pub(super) reply: ReplyTo,
    pub(super) reference: Reference,
    pub(super) amount: i64,
    events: Events,
    outcome: Outcome,
    /// Steps taken so far, and when the next one is due.
    step: usize,
    due: u64,
}

impl Sale {
    /// The events this sale sends: a card never presented stops after WAITING_FOR_CARD.
    fn steps(&self) -> &'static [EventType<'static>] {
        match self.outcome {
            Outcome::Timeout => &STEPS[..1],
            _ => &STEPS,
        }
    }

    /// The answer that ends the sale, or stops it with REFERRAL (spec/api.md
    /// "TransactionResult"): an approved SALE is CAPTURED.
    fn answer(&self) -> TransactionResult<'_> {
        match self.outcome {
            Outcome::Referral => TransactionResult {
                command_status: Some(CommandStatus::Referral),
                ..TransactionResult::new(ResultCode::Ok)
            },
            Outcome::Approve => self.completed(ResultCode::Ok, Some(TransactionStatus::Captured)),
            Outcome::Decline => self.completed(ResultCode::Ok, Some(TransactionStatus::Declined)),
            Outcome::HostError => self.completed(ResultCode::HostError, None),
            Outcome::Timeout => self.completed(ResultCode::Timeout, None),
        }
    }

    /// A COMPLETED answer: `result`, and the transaction when it has a status.
    fn completed(
        &self,
        result: ResultCode<'static>,
        status: Option<TransactionStatus<'static>>,
    ) -> TransactionResult<'_> {
        TransactionResult {
            command_status: Some(CommandStatus::Completed),
            transaction: status.map(|s| transaction(&self.reference, self.amount, s)),
            ..TransactionResult::new(result)
        }
    }

    /// The status the sale's answer records (none for an outcome that charged nothing and
    /// declined nothing).
    fn status(&self) -> Option<TransactionStatus<'static>> {
        match self.outcome {
            Outcome::Approve => Some(TransactionStatus::Captured),
            Outcome::Decline => Some(TransactionStatus::Declined),
            Outcome::HostError | Outcome::Timeout | Outcome::Referral => None,
        }
    }
}

/// The transaction object of a sale (spec/api.md "TransactionResult").
pub(super) fn transaction<'a>(
    reference: &'a str,
    amount: i64,
    status: TransactionStatus<'static>,
) -> Transaction<'a> {
    Transaction {
        transaction_status: Some(status),
        reference_id: Some(Text::new(reference)),
        transaction_type: Some(TransactionType::Sale),
        amount: Some(amount),
        ..Default::default()
    }
}

impl<B: Buffer> ScriptedTerminal<B> {
    /// `startTransaction` in IDLE: 303 for a `referenceId` the terminal remembers (spec/protocol.md
    /// §6), otherwise the sale starts; its first step is due `step_ms` from now.
    pub(super) fn start(&mut self, now: u64, reply: ReplyTo, start: Start) {
        if self.history.knows(&start.reference) {
            let code = RpcErrorCode::TransactionAlreadyExist;
            return self.refuse(&reply, &Refusal::new(code, "TransactionAlreadyExist"));
        }
        self.state = State::Transaction(Sale {
            reply,
            reference: start.reference,
            amount: start.amount,
            events: start.events,
            outcome: Outcome::for_amount(start.amount),
            step: 0,
            due: now + self.config.step_ms,
        });
    }

    /// Takes the running sale's next step if it is due: an event, or the answer. A frame that
    /// does not fit the transmit buffer leaves the step to the next call.
    pub(super) fn step(&mut self, now: u64) {
        let State::Transaction(sale) = &mut self.state else {
            return;
        };
        if now < sale.due {
            return;
        }
        let steps = sale.steps();
        let Some(&event_type) = steps.get(sale.step) else {
            self.answer_sale(now);
            return;
        };
        if let Events::Notify = sale.events {
            let event = TransactionEvent { event_type };
            if let Err(RespondError::TxFull) = self.device.notify("transactionEvent", &event) {
                return;
            }
        }
        sale.step += 1;
        // A card never presented: the device waits its whole card wait before TIMEOUT.
        let card_wait = sale.step == steps.len() && sale.outcome == Outcome::Timeout;
        let wait = if card_wait {
            CARD_WAIT_MS
        } else {
            self.config.step_ms
        };
        sale.due = now + wait;
    }

    /// Answers the running sale with its outcome. An answer that does not fit the transmit
    /// buffer leaves the sale as it is, to be tried again.
    pub(super) fn answer_sale(&mut self, now: u64) -> Option<Result<Delivery, RespondError>> {
        let State::Transaction(sale) = &self.state else {
            return None;
        };
        let sent = self.device.respond(&sale.reply, &sale.answer());
        if sent == Err(RespondError::TxFull) {
            return Some(sent);
        }
        if let State::Transaction(sale) = core::mem::replace(&mut self.state, State::Idle) {
            match sale.outcome {
                Outcome::Referral => {
                    let until = now + CONTINUE_MS;
                    self.state = State::WaitingContinue { sale, until };
                }
                _ => self.history.remember(&sale, sale.status()),
            }
        }
        Some(sent)
    }

    /// `continueTransaction` after a REFERRAL stop: the voice authorization settles it,
    /// approved (spec/api.md "continueTransaction params").
    pub(super) fn continue_sale(&mut self, reply: ReplyTo) {
        match core::mem::replace(&mut self.state, State::Idle) {
            State::WaitingContinue { sale, .. } => {
                let approved = Some(TransactionStatus::Captured);
                self.answer(&reply, &sale.completed(ResultCode::Ok, approved));
                self.history.remember(&sale, approved);
            }
            other => {
                self.state = other;
                self.refuse(
                    &reply,
                    &Refusal::new(RpcErrorCode::IllegalState, "IllegalState"),
                );
            }
        }
    }

    /// `cancel` naming the sale in progress: answered `null`, and the sale then answers
    /// CANCELED, unless it was answered already with its REFERRAL stop (spec/api.md `cancel`).
    /// Another `referenceId` is 302.
    pub(super) fn cancel(&mut self, reply: ReplyTo, target: Target) {
        if let Target::Other = target {
            let code = RpcErrorCode::TransactionNotFound;
            return self.refuse(&reply, &Refusal::new(code, "TransactionNotFound"));
        }
        match core::mem::replace(&mut self.state, State::Idle) {
            State::Transaction(sale) => {
                self.answer(&reply, &Null);
                self.answer(&sale.reply, &sale.completed(ResultCode::Canceled, None));
                self.history.remember(&sale, None);
            }
            State::WaitingContinue { sale, .. } => {
                self.answer(&reply, &Null);
                self.history.remember(&sale, None);
            }
            other => {
                self.state = other;
                self.refuse(
                    &reply,
                    &Refusal::new(RpcErrorCode::IllegalState, "IllegalState"),
                );
            }
        }
    }
}
