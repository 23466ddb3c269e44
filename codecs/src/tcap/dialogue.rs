//! The TCAP dialogue portion (ITU-T Q.773 4.2.1, DialoguePDUs and UnidialoguePDUs): an EXTERNAL
//! whose direct reference names the structured (or unstructured) dialogue abstract syntax and
//! whose single-ASN1-type carries AARQ, AARE, ABRT or AUDT.
//!
//! ```asn1
//! DialoguePortion ::= [APPLICATION 11] EXPLICIT EXTERNAL
//! -- EXTERNAL ::= [UNIVERSAL 8] IMPLICIT SEQUENCE { direct-reference OBJECT IDENTIFIER,
//! --   encoding CHOICE { single-ASN1-type [0] ABSTRACT-SYNTAX.&Type, ... } }
//! dialogue-as-id OBJECT IDENTIFIER ::= {itu-t recommendation q 773 as(1) dialogue-as(1) version1(1)}
//! uniDialogue-as-id OBJECT IDENTIFIER ::= {itu-t recommendation q 773 as(1) unidialogue-as(2) version1(1)}
//! ```
//!
//! A dialogue portion of another abstract syntax, or an EXTERNAL of another shape, is kept raw.

use crate::ber::{self, Forms, Oid, Seq, Tag, Tlv, Writer};
use crate::error::{Reason, Result};

/// `[APPLICATION 11]`, the dialogue portion.
pub const TAG: Tag = Tag::application(11).constructed();

/// dialogue-as-id, 0.0.17.773.1.1.1, contents octets.
pub const DIALOGUE_AS_ID: [u8; 7] = [0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01];
/// uniDialogue-as-id, 0.0.17.773.1.2.1, contents octets.
pub const UNIDIALOGUE_AS_ID: [u8; 7] = [0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01];

/// `protocol-version [0] IMPLICIT BIT STRING {version1(0)}`: the usual contents, version1 set.
pub const PROTOCOL_VERSION_1: [u8; 2] = [0x07, 0x80];

const AARQ: Tag = Tag::application(0).constructed();
const AARE: Tag = Tag::application(1).constructed();
const ABRT: Tag = Tag::application(4).constructed();
const USER_INFORMATION: Tag = Tag::context(30).constructed();

/// AARQ-apdu (dialogue request), or AUDT-apdu of the unidialogue syntax (same shape).
///
/// ```asn1
/// AARQ-apdu ::= [APPLICATION 0] IMPLICIT SEQUENCE {
///   protocol-version [0] IMPLICIT BIT STRING {version1(0)} DEFAULT {version1},
///   application-context-name [1] OBJECT IDENTIFIER,
///   user-information [30] IMPLICIT SEQUENCE OF EXTERNAL OPTIONAL }
/// ```
///
/// Forms: slot 0 the APDU, 1 protocol-version, 2 `[1]`, 3 the OID, 4 user-information.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Aarq {
    /// protocol-version contents (BIT STRING: unused-bits octet then bits), if present.
    pub protocol_version: Option<Vec<u8>>,
    /// application-context-name.
    pub application_context: Oid,
    /// user-information, the contents of `[30]` (the EXTERNALs), raw.
    pub user_information: Option<Vec<u8>>,
    /// Length forms as received.
    pub forms: Forms,
}

/// Associate-source-diagnostic.
///
/// ```asn1
/// Associate-source-diagnostic ::= CHOICE {
///   dialogue-service-user [1] INTEGER {null(0), no-reason-given(1),
///     application-context-name-not-supported(2)},
///   dialogue-service-provider [2] INTEGER {null(0), no-reason-given(1),
///     no-common-dialogue-portion(2)} }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceDiagnostic {
    /// dialogue-service-user.
    User(i64),
    /// dialogue-service-provider.
    Provider(i64),
}

/// AARE-apdu (dialogue response).
///
/// ```asn1
/// AARE-apdu ::= [APPLICATION 1] IMPLICIT SEQUENCE {
///   protocol-version [0] IMPLICIT BIT STRING {version1(0)} DEFAULT {version1},
///   application-context-name [1] OBJECT IDENTIFIER,
///   result [2] Associate-result,
///   result-source-diagnostic [3] Associate-source-diagnostic,
///   user-information [30] IMPLICIT SEQUENCE OF EXTERNAL OPTIONAL }
/// Associate-result ::= INTEGER {accepted(0), reject-permanent(1)}
/// ```
///
/// Forms: slot 0 the APDU, 1 protocol-version, 2 `[1]`, 3 the OID, 4 `[2]`, 5 its INTEGER,
/// 6 `[3]`, 7 the diagnostic choice, 8 user-information.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Aare {
    /// protocol-version contents, if present.
    pub protocol_version: Option<Vec<u8>>,
    /// application-context-name.
    pub application_context: Oid,
    /// result: 0 accepted, 1 reject-permanent.
    pub result: i64,
    /// result-source-diagnostic.
    pub diagnostic: SourceDiagnostic,
    /// user-information contents, raw.
    pub user_information: Option<Vec<u8>>,
    /// Length forms as received.
    pub forms: Forms,
}

/// ABRT-apdu (dialogue abort).
///
/// ```asn1
/// ABRT-apdu ::= [APPLICATION 4] IMPLICIT SEQUENCE {
///   abort-source [0] IMPLICIT ABRT-source,
///   user-information [30] IMPLICIT SEQUENCE OF EXTERNAL OPTIONAL }
/// ABRT-source ::= INTEGER {dialogue-service-user(0), dialogue-service-provider(1)}
/// ```
///
/// Forms: slot 0 the APDU, 1 abort-source, 2 user-information.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Abrt {
    /// abort-source.
    pub abort_source: i64,
    /// user-information contents, raw.
    pub user_information: Option<Vec<u8>>,
    /// Length forms as received.
    pub forms: Forms,
}

/// What the dialogue portion carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DialoguePdu {
    /// dialogueRequest (AARQ).
    Request(Aarq),
    /// dialogueResponse (AARE).
    Response(Aare),
    /// dialogueAbort (ABRT).
    Abort(Abrt),
    /// unidialoguePDU (AUDT, in a Unidirectional message).
    Unidirectional(Aarq),
    /// Anything else: the EXTERNAL TLV as it came.
    Raw(Vec<u8>),
}

/// The dialogue portion. Forms: slot 0 `[APPLICATION 11]`, 1 the EXTERNAL, 2 direct-reference,
/// 3 single-ASN1-type `[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialoguePortion {
    /// The dialogue APDU.
    pub pdu: DialoguePdu,
    /// Length forms as received.
    pub forms: Forms,
}

impl DialoguePortion {
    /// A dialogue request (AARQ, version1) proposing `application_context`.
    pub fn request(application_context: Oid) -> Self {
        DialoguePortion {
            pdu: DialoguePdu::Request(Aarq {
                protocol_version: Some(PROTOCOL_VERSION_1.to_vec()),
                application_context,
                user_information: None,
                forms: Forms::default(),
            }),
            forms: Forms::default(),
        }
    }

    /// A dialogue response (AARE, version1) with `result` (0 accepted, 1 reject-permanent) and
    /// its diagnostic.
    pub fn response(application_context: Oid, result: i64, diagnostic: SourceDiagnostic) -> Self {
        DialoguePortion {
            pdu: DialoguePdu::Response(Aare {
                protocol_version: Some(PROTOCOL_VERSION_1.to_vec()),
                application_context,
                result,
                diagnostic,
                user_information: None,
                forms: Forms::default(),
            }),
            forms: Forms::default(),
        }
    }

    /// An AARE refusing the proposed context: reject-permanent with
    /// application-context-name-not-supported, offering `supported` instead (Q.773 3.2.2, the
    /// basis of the MAP v3 -> v2 fallback).
    pub fn refuse_context(supported: Oid) -> Self {
        DialoguePortion::response(supported, 1, SourceDiagnostic::User(2))
    }

    /// A dialogue abort (ABRT) from the dialogue service user with optional user information.
    pub fn abort(user_information: Option<Vec<u8>>) -> Self {
        DialoguePortion {
            pdu: DialoguePdu::Abort(Abrt {
                abort_source: 0,
                user_information,
                forms: Forms::default(),
            }),
            forms: Forms::default(),
        }
    }

    /// The application context name of an AARQ, AARE or AUDT.
    pub fn application_context(&self) -> Option<&Oid> {
        match &self.pdu {
            DialoguePdu::Request(a) | DialoguePdu::Unidirectional(a) => {
                Some(&a.application_context)
            }
            DialoguePdu::Response(a) => Some(&a.application_context),
            _ => None,
        }
    }

    /// The user-information contents of the APDU, if any.
    pub fn user_information(&self) -> Option<&[u8]> {
        match &self.pdu {
            DialoguePdu::Request(a) | DialoguePdu::Unidirectional(a) => {
                a.user_information.as_deref()
            }
            DialoguePdu::Response(a) => a.user_information.as_deref(),
            DialoguePdu::Abort(a) => a.user_information.as_deref(),
            DialoguePdu::Raw(_) => None,
        }
    }

    /// Decodes the `[APPLICATION 11]` TLV.
    pub fn decode(t: &Tlv<'_>) -> Result<Self> {
        t.expect_tag(TAG, "tcap.dialogue_portion")?;
        let mut forms = Forms::own(t.form);
        let mut s = t.children("tcap.dialogue_portion")?;
        let ext = s.required(Tag::EXTERNAL, "tcap.dialogue_portion")?;
        s.end()?;
        forms.set(1, ext.form);
        let pdu = match Self::decode_external(&ext, &mut forms)? {
            Some(pdu) => pdu,
            None => {
                forms = Forms::own(t.form);
                DialoguePdu::Raw(ext.raw.to_vec())
            }
        };
        Ok(DialoguePortion { pdu, forms })
    }

    /// The structured PDU, or `None` when the EXTERNAL is of another syntax or shape.
    fn decode_external(ext: &Tlv<'_>, forms: &mut Forms) -> Result<Option<DialoguePdu>> {
        let mut s = ext.children("tcap.external")?;
        let Some(oid) = s.optional(Tag::OID)? else {
            return Ok(None);
        };
        let Some(enc) = s.optional(Tag::context(0).constructed())? else {
            return Ok(None);
        };
        if !s.is_empty() {
            return Ok(None);
        }
        let uni = match oid.value {
            v if v == DIALOGUE_AS_ID => false,
            v if v == UNIDIALOGUE_AS_ID => true,
            _ => return Ok(None),
        };
        forms.set(2, oid.form);
        forms.set(3, enc.form);
        let mut e = enc.children("tcap.external")?;
        let apdu = e.any("tcap.dialogue_pdu")?;
        e.end()?;
        let pdu = match (uni, apdu.tag) {
            (false, AARQ) => DialoguePdu::Request(decode_aarq(&apdu)?),
            (true, AARQ) => DialoguePdu::Unidirectional(decode_aarq(&apdu)?),
            (false, AARE) => DialoguePdu::Response(decode_aare(&apdu)?),
            (false, ABRT) => DialoguePdu::Abort(decode_abrt(&apdu)?),
            _ => return Err(apdu.error("tcap.dialogue_pdu", Reason::Unsupported)),
        };
        Ok(Some(pdu))
    }

    /// Writes the `[APPLICATION 11]` TLV.
    pub fn encode(&self, w: &mut Writer) {
        let f = &self.forms;
        w.tlv(TAG, f.get(0), |w| match &self.pdu {
            DialoguePdu::Raw(raw) => w.raw(raw),
            pdu => w.tlv(Tag::EXTERNAL, f.get(1), |w| {
                let oid: &[u8] = if matches!(pdu, DialoguePdu::Unidirectional(_)) {
                    &UNIDIALOGUE_AS_ID
                } else {
                    &DIALOGUE_AS_ID
                };
                w.primitive(Tag::OID, f.get(2), oid);
                w.tlv(Tag::context(0).constructed(), f.get(3), |w| match pdu {
                    DialoguePdu::Request(a) | DialoguePdu::Unidirectional(a) => encode_aarq(a, w),
                    DialoguePdu::Response(a) => encode_aare(a, w),
                    DialoguePdu::Abort(a) => encode_abrt(a, w),
                    DialoguePdu::Raw(_) => {}
                })
            }),
        });
    }
}

fn protocol_version(s: &mut Seq<'_>, forms: &mut Forms) -> Result<Option<Vec<u8>>> {
    Ok(s.optional(Tag::context(0))?.map(|t| {
        forms.set(1, t.form);
        t.value.to_vec()
    }))
}

fn user_information(s: &mut Seq<'_>, forms: &mut Forms, slot: u8) -> Result<Option<Vec<u8>>> {
    Ok(s.optional(USER_INFORMATION)?.map(|t| {
        forms.set(slot, t.form);
        t.value.to_vec()
    }))
}

fn context_name(s: &mut Seq<'_>, forms: &mut Forms) -> Result<Oid> {
    let acn = s.required(
        Tag::context(1).constructed(),
        "tcap.application_context_name",
    )?;
    forms.set(2, acn.form);
    let mut a = acn.children("tcap.application_context_name")?;
    let oid = a.required(Tag::OID, "tcap.application_context_name")?;
    a.end()?;
    forms.set(3, oid.form);
    Oid::from_contents(&oid, "tcap.application_context_name")
}

fn decode_aarq(t: &Tlv<'_>) -> Result<Aarq> {
    let mut forms = Forms::own(t.form);
    let mut s = t.children("tcap.aarq")?;
    let protocol_version = protocol_version(&mut s, &mut forms)?;
    let application_context = context_name(&mut s, &mut forms)?;
    let user_information = user_information(&mut s, &mut forms, 4)?;
    s.end()?;
    Ok(Aarq {
        protocol_version,
        application_context,
        user_information,
        forms,
    })
}

fn decode_aare(t: &Tlv<'_>) -> Result<Aare> {
    let mut forms = Forms::own(t.form);
    let mut s = t.children("tcap.aare")?;
    let protocol_version = protocol_version(&mut s, &mut forms)?;
    let application_context = context_name(&mut s, &mut forms)?;
    let r = s.required(Tag::context(2).constructed(), "tcap.result")?;
    forms.set(4, r.form);
    let mut rs = r.children("tcap.result")?;
    let ri = rs.required(Tag::INTEGER, "tcap.result")?;
    rs.end()?;
    forms.set(5, ri.form);
    let result = ber::int_value(&ri, "tcap.result")?;
    let d = s.required(
        Tag::context(3).constructed(),
        "tcap.result_source_diagnostic",
    )?;
    forms.set(6, d.form);
    let mut ds = d.children("tcap.result_source_diagnostic")?;
    let choice = ds.any("tcap.result_source_diagnostic")?;
    ds.end()?;
    forms.set(7, choice.form);
    let user = choice.tag == Tag::context(1).constructed();
    if !user && choice.tag != Tag::context(2).constructed() {
        return Err(choice.error("tcap.result_source_diagnostic", Reason::BadValue));
    }
    let mut cs = choice.children("tcap.result_source_diagnostic")?;
    let di = cs.required(Tag::INTEGER, "tcap.result_source_diagnostic")?;
    cs.end()?;
    forms.set(8, di.form);
    let v = ber::int_value(&di, "tcap.result_source_diagnostic")?;
    let diagnostic = if user {
        SourceDiagnostic::User(v)
    } else {
        SourceDiagnostic::Provider(v)
    };
    let user_information = user_information(&mut s, &mut forms, 9)?;
    s.end()?;
    Ok(Aare {
        protocol_version,
        application_context,
        result,
        diagnostic,
        user_information,
        forms,
    })
}

fn decode_abrt(t: &Tlv<'_>) -> Result<Abrt> {
    let mut forms = Forms::own(t.form);
    let mut s = t.children("tcap.abrt")?;
    let src = s.required(Tag::context(0), "tcap.abort_source")?;
    forms.set(1, src.form);
    let abort_source = ber::int_value(&src, "tcap.abort_source")?;
    let user_information = user_information(&mut s, &mut forms, 2)?;
    s.end()?;
    Ok(Abrt {
        abort_source,
        user_information,
        forms,
    })
}

fn encode_aarq(a: &Aarq, w: &mut Writer) {
    let f = &a.forms;
    w.tlv(AARQ, f.get(0), |w| {
        if let Some(pv) = &a.protocol_version {
            w.primitive(Tag::context(0), f.get(1), pv);
        }
        w.tlv(Tag::context(1).constructed(), f.get(2), |w| {
            w.primitive(Tag::OID, f.get(3), &a.application_context.0)
        });
        if let Some(ui) = &a.user_information {
            w.tlv(USER_INFORMATION, f.get(4), |w| w.raw(ui));
        }
    });
}

fn encode_aare(a: &Aare, w: &mut Writer) {
    let f = &a.forms;
    w.tlv(AARE, f.get(0), |w| {
        if let Some(pv) = &a.protocol_version {
            w.primitive(Tag::context(0), f.get(1), pv);
        }
        w.tlv(Tag::context(1).constructed(), f.get(2), |w| {
            w.primitive(Tag::OID, f.get(3), &a.application_context.0)
        });
        w.tlv(Tag::context(2).constructed(), f.get(4), |w| {
            w.primitive(Tag::INTEGER, f.get(5), &ber::int_contents(a.result))
        });
        w.tlv(Tag::context(3).constructed(), f.get(6), |w| {
            let (n, v) = match a.diagnostic {
                SourceDiagnostic::User(v) => (1, v),
                SourceDiagnostic::Provider(v) => (2, v),
            };
            w.tlv(Tag::context(n).constructed(), f.get(7), |w| {
                w.primitive(Tag::INTEGER, f.get(8), &ber::int_contents(v))
            });
        });
        if let Some(ui) = &a.user_information {
            w.tlv(USER_INFORMATION, f.get(9), |w| w.raw(ui));
        }
    });
}

fn encode_abrt(a: &Abrt, w: &mut Writer) {
    let f = &a.forms;
    w.tlv(ABRT, f.get(0), |w| {
        w.primitive(
            Tag::context(0),
            f.get(1),
            &ber::int_contents(a.abort_source),
        );
        if let Some(ui) = &a.user_information {
            w.tlv(USER_INFORMATION, f.get(2), |w| w.raw(ui));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use crate::reader::Reader;

    fn rt(h: &str) -> DialoguePortion {
        let b = hex::decode(h).unwrap();
        let t = Tlv::decode(&mut Reader::new(&b), 0).unwrap();
        let d = DialoguePortion::decode(&t).unwrap();
        let mut w = Writer::new();
        d.encode(&mut w);
        assert_eq!(hex::encode(&w.into_vec()), hex::encode(&b));
        d
    }

    #[test]
    fn parses_aarq_of_gen_samples() {
        // shared/oracles/gen_samples.py: AARQ for shortMsgGatewayContext-v3.
        let d = rt("6b1e281c060700118605010101a011600f80020780a109060704000001001403");
        assert_eq!(
            d.application_context().unwrap().to_string(),
            "0.4.0.0.1.0.20.3"
        );
        assert_eq!(
            d,
            DialoguePortion::request(Oid::parse("0.4.0.0.1.0.20.3").unwrap())
        );
    }

    #[test]
    fn parses_aare_and_abrt() {
        let d = rt("6b2a2828060700118605010101a01d611b80020780a109060704000001001403a203020100a305a1030201 00".replace(' ', "").as_str());
        let DialoguePdu::Response(a) = &d.pdu else {
            panic!()
        };
        assert_eq!((a.result, a.diagnostic), (0, SourceDiagnostic::User(0)));
        let refuse = DialoguePortion::refuse_context(Oid::parse("0.4.0.0.1.0.20.2").unwrap());
        let mut w = Writer::new();
        refuse.encode(&mut w);
        let b = w.into_vec();
        let t = Tlv::decode(&mut Reader::new(&b), 0).unwrap();
        assert_eq!(DialoguePortion::decode(&t).unwrap(), refuse);
        let d = rt("6b1a2818060700118605010101a00d640b800100be0628040602 0100"
            .replace(' ', "")
            .as_str());
        let DialoguePdu::Abort(a) = &d.pdu else {
            panic!()
        };
        assert_eq!(
            (a.abort_source, a.user_information.as_deref()),
            (0, Some(&[0x28, 4, 6, 2, 1, 0][..]))
        );
    }

    #[test]
    fn keeps_other_syntax_raw_and_indefinite_forms() {
        let d = rt("6b0d280b 0603 2a0304 a004 0402abcd"
            .replace(' ', "")
            .as_str());
        assert!(matches!(d.pdu, DialoguePdu::Raw(_)));
        // Indefinite lengths on every constructed level.
        let d = rt("6b80 2880 060700118605010101 a080 6080 80020780 a180 060704000001001403 0000 0000 0000 0000 0000"
            .replace(' ', "")
            .as_str());
        assert_eq!(
            d.application_context().unwrap().to_string(),
            "0.4.0.0.1.0.20.3"
        );
    }
}
