//! The enums of the API (spec/api.md "Enums", spec/protocol.md §4–§5). Each keeps values it does
//! not know in `Unknown`.

use crate::wire_enum::wire_enum;

wire_enum! {
    /// `transactionType` (spec/api.md "Enums").
    TransactionType {
        /// A sale.
        Sale = "SALE",
        /// A refund.
        Refund = "REFUND",
        /// An authorization only, captured later with `Capture`.
        AuthOnly = "AUTH_ONLY",
        /// Cash.
        Cash = "CASH",
        /// A sale with cash back.
        Cashback = "CASHBACK",
        /// Voids the transaction with the given `referenceId`.
        Void = "VOID",
        /// Captures an `AuthOnly`.
        Capture = "CAPTURE",
        /// A forced transaction.
        Forced = "FORCED",
        /// A top-up.
        TopUp = "TOP_UP",
        /// A discharge.
        Discharge = "DISCHARGE",
        /// A balance inquiry.
        Balance = "BALANCE",
    }
}

wire_enum! {
    /// `transactionStatus`: what happened to the money (spec/api.md; spec/protocol.md §4: money is
    /// judged by this, not by `result`).
    TransactionStatus {
        /// Authorized: charged.
        Authorized = "AUTHORIZED",
        /// Captured: charged.
        Captured = "CAPTURED",
        /// Declined: not charged.
        Declined = "DECLINED",
        /// Settled: charged.
        Settled = "SETTLED",
        /// Deposited: charged.
        Deposited = "DEPOSITED",
        /// Voided.
        Voided = "VOIDED",
        /// Informative (a balance inquiry, for example).
        Informative = "INFORMATIVE",
    }
}

impl TransactionStatus<'_> {
    /// Whether the card was charged: AUTHORIZED, CAPTURED, SETTLED or DEPOSITED
    /// (spec/api.md "Enums"; spec/protocol.md §6). `None` for a status this version does not
    /// know: the caller must not guess.
    pub fn is_charged(&self) -> Option<bool> {
        match self {
            Self::Authorized | Self::Captured | Self::Settled | Self::Deposited => Some(true),
            Self::Declined | Self::Voided | Self::Informative => Some(false),
            Self::Unknown(_) => None,
        }
    }
}

wire_enum! {
    /// `terminalStatus` of `getTerminalStatus`.
    TerminalStatus {
        /// Ready for transactions.
        Ready = "READY",
        /// Not ready.
        NotReady = "NOT_READY",
        /// A settlement is needed first.
        SettleNeeded = "SETTLE_NEEDED",
        /// The terminal has no parameters loaded.
        NoParams = "NO_PARAMS",
    }
}

wire_enum! {
    /// `commandStatus` of a transaction result (spec/api.md "TransactionResult").
    CommandStatus {
        /// Stopped after reading the card (`notifyUpdate`): continue with `continueTransaction`.
        Update = "UPDATE",
        /// Stopped for a referral: continue with an `authorizationNumber`.
        Referral = "REFERRAL",
        /// Done.
        Completed = "COMPLETED",
    }
}

wire_enum! {
    /// `deviceStatus` of `getStatus` (spec/protocol.md §5).
    DeviceStatus {
        /// Idle: ready for a new command.
        Idle = "IDLE",
        /// The screen is off.
        ScreenOff = "SCREEN_OFF",
        /// The screen is busy.
        ScreenBusy = "SCREEN_BUSY",
        /// A transaction runs.
        Transaction = "TRANSACTION",
        /// Waiting for `continueTransaction` (the method pages call it `WAITING_FOR_CONTINUE`:
        /// both accepted, spec/protocol.md §5).
        WaitingContinueTransaction = "WAITING_CONTINUE_TRANSACTION" | "WAITING_FOR_CONTINUE",
        /// A settlement or deposit runs.
        Settlement = "SETTLEMENT",
        /// Pairing: the code is on the screen.
        Pairing = "PAIRING",
        /// Uploading logs.
        UploadLogs = "UPLOAD_LOGS",
        /// Reading a card (`readCard`).
        ReadCard = "READ_CARD",
        /// A prompt is on the screen (`userInput`, `userSelection`, ...).
        Prompt = "PROMPT",
        /// System screens.
        System = "SYSTEM",
    }
}

impl DeviceStatus<'_> {
    /// Whether the device runs nothing a request could still be answered by: IDLE, SCREEN_OFF,
    /// or SYSTEM (its own screens, or coming back from a restart). Every state a method runs in
    /// (spec/protocol.md §5: TRANSACTION, WAITING_CONTINUE_TRANSACTION, SETTLEMENT, PAIRING,
    /// UPLOAD_LOGS, READ_CARD, PROMPT), SCREEN_BUSY, and a state this version does not know,
    /// may be running one (ours: when unsure, a call goes on waiting).
    pub fn runs_nothing(&self) -> bool {
        matches!(self, Self::Idle | Self::ScreenOff | Self::System)
    }
}

wire_enum! {
    /// The `result` of a long-running method: the request was valid and ran, whatever the money
    /// did (spec/protocol.md §4).
    ResultCode {
        /// It ran to the end.
        Ok = "OK",
        /// Cancelled (`cancel`, or on the device).
        Canceled = "CANCELED",
        /// Timed out on the device.
        Timeout = "TIMEOUT",
        /// A general error.
        GeneralError = "GENERAL_ERROR",
        /// The network failed.
        NetworkError = "NETWORK_ERROR",
        /// The host (acquirer) answered with an error.
        HostError = "HOST_ERROR",
        /// The card reader failed.
        SmartReaderError = "SMART_READER_ERROR",
        /// The card failed.
        SmartCardError = "SMART_CARD_ERROR",
        /// Not a credit card.
        NoneCreditCard = "NONE_CREDIT_CARD",
        /// This card is not allowed.
        CardNotAllowed = "CARD_NOT_ALLOWED",
    }
}

wire_enum! {
    /// `paymentMethod` of `startTransaction`.
    PaymentMethod {
        /// A credit card.
        CreditCard = "CREDIT_CARD",
    }
}

wire_enum! {
    /// `creditTerms`.
    CreditTerms {
        /// Regular (the default).
        Regular = "REGULAR",
        /// Special.
        Special = "SPECIAL",
        /// Immediate.
        Immediate = "IMMEDIATE",
        /// Credit.
        Credit = "CREDIT",
        /// Installments.
        Installments = "INSTALLMENTS",
    }
}

wire_enum! {
    /// `paymentType`.
    PaymentType {
        /// The card is present.
        CardPresent = "CARD_PRESENT",
        /// Mail or telephone order.
        Moto = "MOTO",
        /// Signature.
        Signature = "SIGNATURE",
    }
}

wire_enum! {
    /// `lookupMethod` of `getTransaction`.
    LookupMethod {
        /// By the `referenceId` the caller chose: the money-safe recovery (spec/protocol.md §6).
        RefId = "REF_ID",
        /// By the device's `transactionId`.
        TransId = "TRANS_ID",
        /// The last transaction.
        LastTrans = "LAST_TRANS",
    }
}

wire_enum! {
    /// `lookupMethod` of `getSettlement`.
    SettlementLookup {
        /// By `settlementId`.
        SettlementId = "SETTLEMENT_ID",
        /// By batch number.
        BatchNo = "BATCH_NO",
        /// The last settlement.
        LastSettlement = "LAST_SETTLEMENT",
    }
}

wire_enum! {
    /// `reportFormat` of `settlement`.
    ReportFormat {
        /// Narrow text.
        Narrow = "NARROW",
        /// Medium text.
        Medium = "MEDIUM",
        /// Wide text.
        Wide = "WIDE",
        /// XML.
        Xml = "XML",
    }
}

wire_enum! {
    /// `host` of `settlement` and `deposit`.
    Host {
        /// SHVA, the Israeli card switch.
        Shva = "SHVA",
    }
}

wire_enum! {
    /// `inputType` of `userInput`.
    InputType {
        /// Digits as text.
        Numeric = "NUMERIC",
        /// Letters and digits.
        Alphanumeric = "ALPHANUMERIC",
        /// An e-mail address.
        Email = "EMAIL",
        /// A number (`minValue`/`maxValue`).
        Number = "NUMBER",
    }
}

wire_enum! {
    /// `mimeType` of `captureSignature`.
    MimeType {
        /// PNG.
        Png = "image/png",
        /// SVG.
        Svg = "image/svg+xml",
    }
}

wire_enum! {
    /// `type` of a `transactionEvent` (spec/api.md "Event").
    EventType {
        /// Waiting for a card (may repeat after a failed read).
        WaitingForCard = "WAITING_FOR_CARD",
        /// A card was detected.
        CardDetected = "CARD_DETECTED",
        /// PIN entry started.
        PinStarted = "PIN_STARTED",
        /// Authorization with the host started.
        AuthorizationStarted = "AUTHORIZATION_STARTED",
        /// Tip selection (with `tipScreen`).
        TipSelection = "TIP_SELECTION",
        /// A combined card.
        CombinedCard = "COMBINED_CARD",
        /// Entering the CVV.
        EnterCvv = "ENTER_CVV",
        /// Entering the card holder's id.
        EnterCardholderId = "ENTER_CARDHOLDER_ID",
        /// Credit confirmation (sic, newer versions).
        CreditConformation = "CREDIT_CONFORMATION",
        /// Entering card details (newer versions).
        EnterCardDetails = "ENTER_CARD_DETAILS",
    }
}

wire_enum! {
    /// `type` of a batch file record (`getBatchFileStatus`, settled transactions).
    RecordType {
        /// `R`.
        R = "R",
        /// `V`.
        V = "V",
        /// `I`.
        I = "I",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Text;

    #[test]
    fn known_aliases_and_unknown_values() {
        assert_eq!(
            DeviceStatus::from_text(Text::new("WAITING_FOR_CONTINUE")),
            DeviceStatus::WaitingContinueTransaction
        );
        assert_eq!(
            DeviceStatus::WaitingContinueTransaction.name(),
            "WAITING_CONTINUE_TRANSACTION"
        );
        let new = DeviceStatus::from_text(Text::new("HIBERNATING"));
        assert_eq!(new, DeviceStatus::Unknown(Text::new("HIBERNATING")));
        assert_eq!(new.name(), "HIBERNATING");
        // An escaped spelling of a known name is that name.
        assert_eq!(
            TransactionType::from_text(Text::from_wire(r"S\u0041LE").unwrap()),
            TransactionType::Sale
        );
    }

    /// spec/protocol.md §5: the states each method runs in (its "during" column), and the
    /// ones the device shows while it runs none of them.
    #[test]
    fn a_device_runs_nothing_only_when_idle_with_its_screen_off_or_in_its_own_screens() {
        let running = [
            "TRANSACTION",
            "WAITING_CONTINUE_TRANSACTION",
            "WAITING_FOR_CONTINUE",
            "SETTLEMENT",
            "PAIRING",
            "READ_CARD",
            "PROMPT",
            "UPLOAD_LOGS",
            "SCREEN_BUSY",
            "HIBERNATING",
        ];
        for name in running {
            assert!(
                !DeviceStatus::from_text(Text::new(name)).runs_nothing(),
                "{name}"
            );
        }
        for name in ["IDLE", "SCREEN_OFF", "SYSTEM"] {
            assert!(
                DeviceStatus::from_text(Text::new(name)).runs_nothing(),
                "{name}"
            );
        }
    }

    /// Every known value of every enum reads back from its wire name (the table lookup of
    /// `from_text` and the declaration agree).
    #[test]
    fn every_known_value_reads_back_from_its_name() {
        macro_rules! each {
            ($($t:ident),+) => {$(
                assert!(!$t::ALL.is_empty());
                for v in $t::ALL {
                    assert_eq!($t::from_text(v.name()), *v, "{}", v.name());
                    assert!(!v.is_unknown());
                }
            )+};
        }
        each!(
            TransactionType,
            TransactionStatus,
            TerminalStatus,
            CommandStatus,
            DeviceStatus,
            ResultCode,
            PaymentMethod,
            CreditTerms,
            PaymentType,
            LookupMethod,
            SettlementLookup,
            ReportFormat,
            Host,
            InputType,
            MimeType,
            EventType,
            RecordType
        );
    }

    #[test]
    fn charged_statuses() {
        let charged: std::vec::Vec<_> = [
            "AUTHORIZED",
            "CAPTURED",
            "SETTLED",
            "DEPOSITED",
            "DECLINED",
            "VOIDED",
            "INFORMATIVE",
            "NEW",
        ]
        .iter()
        .map(|s| TransactionStatus::from_text(Text::new(s)).is_charged())
        .collect();
        assert_eq!(
            charged,
            [
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                None
            ]
        );
    }
}
