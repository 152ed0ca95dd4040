//! Receipts (spec/api.md "TransactionResult": `{fields: [{id, key, value?}], language,
//! collectSignature?, collectTelephoneNo?}`; field order matters; `value` may be absent).
//!
//! A received receipt stays raw and is decoded a field at a time as it is read: two receipts of
//! dozens of lines would otherwise cost kilobytes of fixed-capacity lists (ours).

use serde::Serialize;

use crate::{Code, DecodeError, Items, JsonKind, MemberValue, RawJson, Text, ValueError};

/// A receipt: as received from a device, or built by one to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt<'a> {
    /// As received; its fields are decoded when read.
    Received(RawJson<'a>),
    /// Built from parts, to be written (a device or the simulator).
    Built {
        /// The lines, in print order.
        fields: &'a [ReceiptField<'a>],
        /// The receipt's language.
        language: Option<Text<'a>>,
        /// Whether to collect a signature.
        collect_signature: Option<bool>,
        /// Whether to collect a telephone number.
        collect_telephone_no: Option<bool>,
    },
}

/// One line of a receipt; `value` is absent on headings and signature lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReceiptField<'a> {
    /// The field's id: text in the documented receipts, a number in some devices' (spec/api.md
    /// does not say; kept as received, as the other codes, spec/protocol.md §4).
    pub id: Code<'a>,
    /// The label.
    pub key: Text<'a>,
    /// The value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Text<'a>>,
}

impl<'a> Receipt<'a> {
    /// The lines in print order, each decoded as it is reached.
    pub fn fields(&self) -> ReceiptFields<'a> {
        ReceiptFields(match self {
            Self::Received(raw) => Lines::Raw(raw.member("fields").map(|f| f.items())),
            Self::Built { fields, .. } => Lines::Built(fields.iter()),
        })
    }

    /// The receipt's language.
    pub fn language(&self) -> Option<Text<'a>> {
        match self {
            Self::Received(raw) => raw.member("language").and_then(|l| l.as_text()),
            Self::Built { language, .. } => *language,
        }
    }

    /// Whether to collect a signature.
    pub fn collect_signature(&self) -> Option<bool> {
        match self {
            Self::Received(raw) => flag(raw.member("collectSignature")),
            Self::Built {
                collect_signature, ..
            } => *collect_signature,
        }
    }

    /// Whether to collect a telephone number.
    pub fn collect_telephone_no(&self) -> Option<bool> {
        match self {
            Self::Received(raw) => flag(raw.member("collectTelephoneNo")),
            Self::Built {
                collect_telephone_no,
                ..
            } => *collect_telephone_no,
        }
    }
}

fn flag(raw: Option<RawJson<'_>>) -> Option<bool> {
    match raw?.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The lines of a [`Receipt`], in order.
#[derive(Debug, Clone)]
pub struct ReceiptFields<'a>(Lines<'a>);

#[derive(Debug, Clone)]
enum Lines<'a> {
    Raw(Option<Items<'a>>),
    Built(core::slice::Iter<'a, ReceiptField<'a>>),
}

impl<'a> Iterator for ReceiptFields<'a> {
    type Item = Result<ReceiptField<'a>, DecodeError>;
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Lines::Raw(items) => items
                .as_mut()?
                .next()
                .map(|item| ReceiptField::decode_member(item).map_err(DecodeError::Value)),
            Lines::Built(fields) => fields.next().copied().map(Ok),
        }
    }
}

/// Member by member: `id` text or a number, `key` text, `value` text, absent or `null`.
impl<'a> MemberValue<'a> for ReceiptField<'a> {
    fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError> {
        if raw.kind() != JsonKind::Object {
            return Err(ValueError::WrongType);
        }
        let (mut id, mut key, mut value) = (None, None, None);
        for (name, member) in raw.members() {
            match name.as_wire() {
                "id" => id = Some(Code::decode_member(member)?),
                "key" => key = Some(Text::decode_member(member)?),
                "value" if !member.is_null() => value = Some(Text::decode_member(member)?),
                _ => {}
            }
        }
        Ok(Self {
            id: id.ok_or(ValueError::WrongType)?,
            key: key.ok_or(ValueError::WrongType)?,
            value,
        })
    }
}

impl<'a> MemberValue<'a> for Receipt<'a> {
    fn decode_member(raw: RawJson<'a>) -> Result<Self, crate::ValueError> {
        let fields = raw.member("fields");
        let well_formed =
            raw.kind() == JsonKind::Object && fields.is_none_or(|f| f.kind() == JsonKind::Array);
        if well_formed {
            Ok(Self::Received(raw))
        } else {
            Err(crate::ValueError::WrongType)
        }
    }
}

impl Serialize for Receipt<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Fields<'r, 'a>(&'r Receipt<'a>);
        impl Serialize for Fields<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(None)?;
                match self.0 {
                    Receipt::Built { fields, .. } => {
                        fields.iter().try_for_each(|f| seq.serialize_element(f))?
                    }
                    // A line that does not decode is written back as received, never dropped.
                    // ours: and never reported through `S::Error::custom`, which serde-json-core
                    // implements as `unreachable!()`.
                    Receipt::Received(raw) => {
                        for item in raw.member("fields").into_iter().flat_map(|f| f.items()) {
                            match ReceiptField::decode_member(item) {
                                Ok(field) => seq.serialize_element(&field)?,
                                Err(_) => seq.serialize_element(&item)?,
                            }
                        }
                    }
                }
                seq.end()
            }
        }
        let (language, signature, telephone) = (
            self.language(),
            self.collect_signature(),
            self.collect_telephone_no(),
        );
        let count = 1
            + usize::from(language.is_some())
            + usize::from(signature.is_some())
            + usize::from(telephone.is_some());
        let mut out = s.serialize_struct("Receipt", count)?;
        out.serialize_field("fields", &Fields(self))?;
        if let Some(language) = language {
            out.serialize_field("language", &language)?;
        }
        if let Some(signature) = signature {
            out.serialize_field("collectSignature", &signature)?;
        }
        if let Some(telephone) = telephone {
            out.serialize_field("collectTelephoneNo", &telephone)?;
        }
        out.end()
    }
}
