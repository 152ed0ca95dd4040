//! What the device's screen shows (ours: a model of the customer-facing screen, for the screen
//! page of `synqpay simulate --screen` and for tests), derived from the state: idle (with the
//! last sale's outcome), the pairing code and its countdown, a sale's amount and step, a prompt,
//! a QR code, a job, or a screen that is off or busy (spec/protocol.md §5).

use serde::Serialize;
use synqpay_rpc::{ResultCode, TransactionStatus};

use crate::app::App;
use crate::conditions::Screen;
use crate::hand::{Decide, Hold};
use crate::prompts::Kind;
use crate::records::shekels;
use crate::state::{JobKind, Running, State};

/// A sale's end, as the idle screen shows it afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastSale {
    /// Its referenceId.
    pub reference_id: String,
    /// Its amount, as the screen prints it (`₪125.50`).
    pub amount: String,
    /// `APPROVED`, `DECLINED`, or the result when there is no status (`CANCELED`, `TIMEOUT`,
    /// `HOST_ERROR`).
    pub verdict: String,
    /// Whether the card was charged; `None` when the answer carries no status.
    pub charged: Option<bool>,
}

impl LastSale {
    pub(crate) fn of(
        running: &Running,
        result: ResultCode<'_>,
        status: Option<TransactionStatus<'_>>,
    ) -> Self {
        let charged = status.and_then(|s| s.is_charged());
        let verdict = match (charged, status) {
            (Some(true), _) => "APPROVED".to_string(),
            (Some(false), Some(s)) => s.to_string(),
            _ => result.to_string(),
        };
        Self {
            reference_id: running.reference_id.clone(),
            amount: shekels(running.amount),
            verdict,
            charged,
        }
    }

    pub(crate) fn not_charged(running: &Running, result: ResultCode<'_>) -> Self {
        Self::of(running, result, None)
    }
}

/// The screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "screen", rename_all = "kebab-case")]
pub enum Face {
    /// Off (SCREEN_OFF).
    Off,
    /// Showing something of the device's own (SCREEN_BUSY).
    Busy,
    /// Waiting for a sale; the last one's outcome.
    Idle {
        /// The last sale, if any.
        last: Option<LastSale>,
    },
    /// The pairing code, valid for `seconds_left`.
    Pairing {
        /// The code.
        code: String,
        /// Seconds until it expires.
        seconds_left: u64,
    },
    /// A sale running.
    Sale {
        /// Its referenceId.
        reference_id: String,
        /// Its amount, printed.
        amount: String,
        /// The transaction type (`SALE`, `REFUND`, ...).
        kind: String,
        /// The step it is at (an event type), if one has come.
        step: Option<String>,
        /// What it waits for by hand: `card` or `pin`.
        waiting_for: Option<&'static str>,
    },
    /// Stopped with UPDATE or REFERRAL, waiting for `continueTransaction`.
    WaitingContinue {
        /// Its referenceId.
        reference_id: String,
    },
    /// A prompt (`readCard`, `userInput`, `userSelection`, `captureSignature`).
    Prompt {
        /// `read-card`, `user-input`, `user-selection` or `capture-signature`.
        kind: &'static str,
        /// Its commandId.
        command_id: String,
        /// The request's title and body.
        title: Option<String>,
        /// The body text.
        body: Option<String>,
        /// For `userSelection`: (id, label).
        options: Vec<(String, String)>,
    },
    /// A QR code `showQR` put up.
    Qr {
        /// The encoded text.
        data: String,
        /// The title, if any.
        title: Option<String>,
        /// The code drawn, as SVG.
        svg: String,
    },
    /// A job of the device's own (`settlement`, `uploadLogs`, a reboot).
    Job {
        /// `settlement`, `upload-logs` or `system`.
        kind: &'static str,
    },
}

/// The QR code of `data` as SVG (the qrcode crate), or an empty string for data it cannot hold.
/// Drawn once, when `showQR` puts it up.
pub(crate) fn qr_svg(data: &str) -> String {
    qrcode::QrCode::new(data.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

impl App {
    /// What the screen shows at `now`.
    pub fn face(&self, now: u64) -> Face {
        match &self.state {
            State::Idle => match (self.conditions.screen, &self.shown_qr) {
                (Screen::Off, _) => Face::Off,
                (Screen::Busy, _) => Face::Busy,
                (Screen::On, Some(qr)) => Face::Qr {
                    data: qr.data.clone(),
                    title: qr.title.clone(),
                    svg: qr.svg.clone(),
                },
                (Screen::On, None) => Face::Idle {
                    last: self.last.clone(),
                },
            },
            State::PairingOpens { .. } => Face::Busy,
            State::Pairing { code, until, .. } => Face::Pairing {
                code: code.clone(),
                seconds_left: until.saturating_sub(now).div_ceil(1000),
            },
            State::Transaction(r) => Face::Sale {
                reference_id: r.reference_id.clone(),
                amount: shekels(r.amount),
                kind: r.transaction_type.clone(),
                step: r
                    .step
                    .checked_sub(1)
                    .and_then(|i| r.steps.get(i))
                    .map(|e| e.to_string()),
                waiting_for: r.hold.map(|h| match h {
                    Hold::Card => "card",
                    Hold::Pin => "pin",
                }),
            },
            State::WaitingContinue { running, .. } => Face::WaitingContinue {
                reference_id: running.reference_id.clone(),
            },
            State::Prompt(p) => Face::Prompt {
                kind: match p.kind {
                    Kind::ReadCard => "read-card",
                    Kind::UserInput => "user-input",
                    Kind::UserSelection => "user-selection",
                    Kind::CaptureSignature => "capture-signature",
                },
                command_id: p.command_id.clone(),
                title: p.title.clone(),
                body: p.body.clone(),
                options: p.options.clone(),
            },
            State::Job(job) => Face::Job {
                kind: match job.kind {
                    JobKind::Settlement => "settlement",
                    JobKind::UploadLogs => "upload-logs",
                    JobKind::System => "system",
                },
            },
        }
    }

    /// Who decides now.
    pub fn decide(&self) -> Decide {
        self.decide
    }
}
