//! TCAP components (ITU-T Q.773 section 4.2, the ROS APDUs): Invoke, ReturnResult (last and
//! not last), ReturnError and Reject with every problem code.
//!
//! A component's parameter is kept as the raw TLV it came as (identifier, length and contents);
//! the MAP layer decodes it by operation or error code.

use crate::ber::{self, Forms, LenForm, Oid, Seq, Tag, Tlv, Writer};
use crate::error::{Reason, Result};

/// Component tags (Q.773: `Component ::= CHOICE { invoke [1], returnResultLast [2],
/// returnError [3], reject [4], returnResultNotLast [7] }`, all IMPLICIT SEQUENCEs).
pub mod tag {
    use crate::ber::Tag;
    /// invoke [1].
    pub const INVOKE: Tag = Tag::context(1).constructed();
    /// returnResultLast [2].
    pub const RETURN_RESULT_LAST: Tag = Tag::context(2).constructed();
    /// returnError [3].
    pub const RETURN_ERROR: Tag = Tag::context(3).constructed();
    /// reject [4].
    pub const REJECT: Tag = Tag::context(4).constructed();
    /// returnResultNotLast [7].
    pub const RETURN_RESULT_NOT_LAST: Tag = Tag::context(7).constructed();
}

/// An operation or error code (Q.773: `CHOICE { localValue INTEGER, globalValue OBJECT
/// IDENTIFIER }`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Code {
    /// localValue (MAP uses these).
    Local(i64),
    /// globalValue.
    Global(Oid),
}

impl Code {
    /// The local value, if this is one.
    pub fn local(&self) -> Option<i64> {
        match self {
            Code::Local(v) => Some(*v),
            Code::Global(_) => None,
        }
    }

    fn decode(t: &Tlv<'_>, field: &'static str) -> Result<Code> {
        if t.tag == Tag::INTEGER {
            Ok(Code::Local(ber::int_value(t, field)?))
        } else if t.tag == Tag::OID {
            Ok(Code::Global(Oid::from_contents(t, field)?))
        } else {
            Err(t.error(field, Reason::BadValue))
        }
    }

    fn encode(&self, w: &mut Writer, form: LenForm) {
        match self {
            Code::Local(v) => w.primitive(Tag::INTEGER, form, &ber::int_contents(*v)),
            Code::Global(o) => w.primitive(Tag::OID, form, &o.0),
        }
    }
}

/// Invoke.
///
/// ```asn1
/// Invoke ::= SEQUENCE {
///   invokeID   InvokeIdType,
///   linkedID   [0] IMPLICIT InvokeIdType OPTIONAL,
///   opCode     OPERATION,
///   parameter  ANY DEFINED BY opCode OPTIONAL }
/// InvokeIdType ::= INTEGER (-128..127)
/// ```
///
/// Forms: slot 0 the component, 1 invokeID, 2 linkedID, 3 opCode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Invoke {
    /// invokeID (Q.773 limits it to -128..127; a wider value is kept as it came).
    pub invoke_id: i64,
    /// linkedID.
    pub linked_id: Option<i64>,
    /// opCode.
    pub opcode: Code,
    /// The parameter TLV, raw.
    pub parameter: Option<Vec<u8>>,
    /// Length forms as received.
    pub forms: Forms,
}

/// ReturnResult (last or not last).
///
/// ```asn1
/// ReturnResult ::= SEQUENCE {
///   invokeID  InvokeIdType,
///   result    SEQUENCE {
///     opCode     OPERATION,
///     parameter  ANY DEFINED BY opCode } OPTIONAL }
/// ```
///
/// Forms: slot 0 the component, 1 invokeID, 2 the result SEQUENCE, 3 opCode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReturnResult {
    /// returnResultLast (true) or returnResultNotLast (false, a segment of a long result).
    pub last: bool,
    /// invokeID.
    pub invoke_id: i64,
    /// opCode of the result SEQUENCE, when present.
    pub opcode: Option<Code>,
    /// The parameter TLV, raw (only with an opCode).
    pub parameter: Option<Vec<u8>>,
    /// Length forms as received.
    pub forms: Forms,
}

/// ReturnError.
///
/// ```asn1
/// ReturnError ::= SEQUENCE {
///   invokeID   InvokeIdType,
///   errorCode  ERROR,
///   parameter  ANY DEFINED BY errorCode OPTIONAL }
/// ```
///
/// Forms: slot 0 the component, 1 invokeID, 2 errorCode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReturnError {
    /// invokeID.
    pub invoke_id: i64,
    /// errorCode.
    pub error_code: Code,
    /// The parameter TLV, raw.
    pub parameter: Option<Vec<u8>>,
    /// Length forms as received.
    pub forms: Forms,
}

/// The problem of a Reject: which kind, and the code within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    /// generalProblem [0].
    General,
    /// invokeProblem [1].
    Invoke,
    /// returnResultProblem [2].
    ReturnResult,
    /// returnErrorProblem [3].
    ReturnError,
}

impl ProblemType {
    fn number(self) -> u32 {
        match self {
            ProblemType::General => 0,
            ProblemType::Invoke => 1,
            ProblemType::ReturnResult => 2,
            ProblemType::ReturnError => 3,
        }
    }

    /// The ASN.1 name of the problem choice.
    pub fn name(self) -> &'static str {
        match self {
            ProblemType::General => "generalProblem",
            ProblemType::Invoke => "invokeProblem",
            ProblemType::ReturnResult => "returnResultProblem",
            ProblemType::ReturnError => "returnErrorProblem",
        }
    }

    /// The choice for an ASN.1 name.
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Self::General,
            Self::Invoke,
            Self::ReturnResult,
            Self::ReturnError,
        ]
        .into_iter()
        .find(|p| p.name() == s)
    }
}

/// The name of a problem code (Q.773 4.2.2.3).
///
/// ```asn1
/// GeneralProblem ::= INTEGER { unrecognizedComponent(0), mistypedComponent(1),
///   badlyStructuredComponent(2) }
/// InvokeProblem ::= INTEGER { duplicateInvokeID(0), unrecognizedOperation(1),
///   mistypedParameter(2), resourceLimitation(3), initiatingRelease(4),
///   unrecognizedLinkedID(5), linkedResponseUnexpected(6), unexpectedLinkedOperation(7) }
/// ReturnResultProblem ::= INTEGER { unrecognizedInvokeID(0), returnResultUnexpected(1),
///   mistypedParameter(2) }
/// ReturnErrorProblem ::= INTEGER { unrecognizedInvokeID(0), returnErrorUnexpected(1),
///   unrecognizedError(2), unexpectedError(3), mistypedParameter(4) }
/// ```
pub fn problem_name(kind: ProblemType, code: i64) -> Option<&'static str> {
    const GENERAL: [&str; 3] = [
        "unrecognizedComponent",
        "mistypedComponent",
        "badlyStructuredComponent",
    ];
    const INVOKE: [&str; 8] = [
        "duplicateInvokeID",
        "unrecognizedOperation",
        "mistypedParameter",
        "resourceLimitation",
        "initiatingRelease",
        "unrecognizedLinkedID",
        "linkedResponseUnexpected",
        "unexpectedLinkedOperation",
    ];
    const RESULT: [&str; 3] = [
        "unrecognizedInvokeID",
        "returnResultUnexpected",
        "mistypedParameter",
    ];
    const ERROR: [&str; 5] = [
        "unrecognizedInvokeID",
        "returnErrorUnexpected",
        "unrecognizedError",
        "unexpectedError",
        "mistypedParameter",
    ];
    let table: &[&str] = match kind {
        ProblemType::General => &GENERAL,
        ProblemType::Invoke => &INVOKE,
        ProblemType::ReturnResult => &RESULT,
        ProblemType::ReturnError => &ERROR,
    };
    usize::try_from(code)
        .ok()
        .and_then(|i| table.get(i).copied())
}

/// Reject.
///
/// ```asn1
/// Reject ::= SEQUENCE {
///   invokeID  CHOICE { derivable InvokeIdType, not-derivable NULL },
///   problem   CHOICE { generalProblem [0] IMPLICIT GeneralProblem,
///                      invokeProblem [1] IMPLICIT InvokeProblem,
///                      returnResultProblem [2] IMPLICIT ReturnResultProblem,
///                      returnErrorProblem [3] IMPLICIT ReturnErrorProblem } }
/// ```
///
/// Forms: slot 0 the component, 1 invokeID, 2 problem.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reject {
    /// The invoke id, or `None` for not-derivable.
    pub invoke_id: Option<i64>,
    /// Problem type.
    pub problem_type: ProblemType,
    /// Problem code.
    pub problem: i64,
    /// Length forms as received.
    pub forms: Forms,
}

/// One component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Component {
    /// invoke [1].
    Invoke(Invoke),
    /// returnResultLast [2] / returnResultNotLast [7].
    ReturnResult(ReturnResult),
    /// returnError [3].
    ReturnError(ReturnError),
    /// reject [4].
    Reject(Reject),
}

impl Component {
    /// An Invoke with a local operation code.
    pub fn invoke(invoke_id: i64, opcode: i64, parameter: Option<Vec<u8>>) -> Component {
        Component::Invoke(Invoke {
            invoke_id,
            linked_id: None,
            opcode: Code::Local(opcode),
            parameter,
            forms: Forms::default(),
        })
    }

    /// A ReturnResultLast; `result` is the local operation code and the parameter TLV.
    pub fn return_result_last(invoke_id: i64, result: Option<(i64, Vec<u8>)>) -> Component {
        let (opcode, parameter) = match result {
            Some((op, p)) => (Some(Code::Local(op)), Some(p)),
            None => (None, None),
        };
        Component::ReturnResult(ReturnResult {
            last: true,
            invoke_id,
            opcode,
            parameter,
            forms: Forms::default(),
        })
    }

    /// A ReturnError with a local error code.
    pub fn return_error(invoke_id: i64, error_code: i64, parameter: Option<Vec<u8>>) -> Component {
        Component::ReturnError(ReturnError {
            invoke_id,
            error_code: Code::Local(error_code),
            parameter,
            forms: Forms::default(),
        })
    }

    /// A Reject.
    pub fn reject(invoke_id: Option<i64>, problem_type: ProblemType, problem: i64) -> Component {
        Component::Reject(Reject {
            invoke_id,
            problem_type,
            problem,
            forms: Forms::default(),
        })
    }

    /// The invoke id (`None` only for a not-derivable Reject).
    pub fn invoke_id(&self) -> Option<i64> {
        match self {
            Component::Invoke(c) => Some(c.invoke_id),
            Component::ReturnResult(c) => Some(c.invoke_id),
            Component::ReturnError(c) => Some(c.invoke_id),
            Component::Reject(c) => c.invoke_id,
        }
    }

    /// The raw parameter TLV, if any.
    pub fn parameter(&self) -> Option<&[u8]> {
        match self {
            Component::Invoke(c) => c.parameter.as_deref(),
            Component::ReturnResult(c) => c.parameter.as_deref(),
            Component::ReturnError(c) => c.parameter.as_deref(),
            Component::Reject(_) => None,
        }
    }

    /// Decodes one component TLV.
    pub fn decode(t: &Tlv<'_>) -> Result<Component> {
        let mut forms = Forms::own(t.form);
        let mut s = t.children("tcap.component")?;
        let id = |s: &mut Seq<'_>, forms: &mut Forms| -> Result<i64> {
            let t = s.required(Tag::INTEGER, "tcap.invoke_id")?;
            forms.set(1, t.form);
            ber::int_value(&t, "tcap.invoke_id")
        };
        let param = |s: &mut Seq<'_>| -> Result<Option<Vec<u8>>> {
            Ok(s.element()?.map(|p| p.raw.to_vec()))
        };
        let c = if t.tag == tag::INVOKE {
            let invoke_id = id(&mut s, &mut forms)?;
            let linked_id = match s.optional(Tag::context(0))? {
                Some(l) => {
                    forms.set(2, l.form);
                    Some(ber::int_value(&l, "tcap.linked_id")?)
                }
                None => None,
            };
            let op = s.any("tcap.opcode")?;
            forms.set(3, op.form);
            let opcode = Code::decode(&op, "tcap.opcode")?;
            let parameter = param(&mut s)?;
            Component::Invoke(Invoke {
                invoke_id,
                linked_id,
                opcode,
                parameter,
                forms: Forms::default(),
            })
        } else if t.tag == tag::RETURN_RESULT_LAST || t.tag == tag::RETURN_RESULT_NOT_LAST {
            let invoke_id = id(&mut s, &mut forms)?;
            let (opcode, parameter) = match s.optional(Tag::SEQUENCE)? {
                Some(r) => {
                    forms.set(2, r.form);
                    let mut rs = r.children("tcap.result")?;
                    let op = rs.any("tcap.opcode")?;
                    forms.set(3, op.form);
                    let opcode = Code::decode(&op, "tcap.opcode")?;
                    let parameter = param(&mut rs)?;
                    rs.end()?;
                    (Some(opcode), parameter)
                }
                None => (None, None),
            };
            Component::ReturnResult(ReturnResult {
                last: t.tag == tag::RETURN_RESULT_LAST,
                invoke_id,
                opcode,
                parameter,
                forms: Forms::default(),
            })
        } else if t.tag == tag::RETURN_ERROR {
            let invoke_id = id(&mut s, &mut forms)?;
            let code = s.any("tcap.error_code")?;
            forms.set(2, code.form);
            let error_code = Code::decode(&code, "tcap.error_code")?;
            let parameter = param(&mut s)?;
            Component::ReturnError(ReturnError {
                invoke_id,
                error_code,
                parameter,
                forms: Forms::default(),
            })
        } else if t.tag == tag::REJECT {
            let i = s.any("tcap.invoke_id")?;
            forms.set(1, i.form);
            let invoke_id = if i.tag == Tag::NULL {
                ber::null_value(&i, "tcap.invoke_id")?;
                None
            } else if i.tag == Tag::INTEGER {
                Some(ber::int_value(&i, "tcap.invoke_id")?)
            } else {
                return Err(i.error("tcap.invoke_id", Reason::BadValue));
            };
            let p = s.any("tcap.problem")?;
            forms.set(2, p.form);
            let problem_type = match (p.tag.class, p.tag.constructed, p.tag.number) {
                (ber::Class::Context, false, 0) => ProblemType::General,
                (ber::Class::Context, false, 1) => ProblemType::Invoke,
                (ber::Class::Context, false, 2) => ProblemType::ReturnResult,
                (ber::Class::Context, false, 3) => ProblemType::ReturnError,
                _ => return Err(p.error("tcap.problem", Reason::BadValue)),
            };
            let problem = ber::int_value(&p, "tcap.problem")?;
            Component::Reject(Reject {
                invoke_id,
                problem_type,
                problem,
                forms: Forms::default(),
            })
        } else {
            return Err(t.error("tcap.component", Reason::Unsupported));
        };
        // The parameter is the last element; anything after it is not a component.
        s.end()?;
        Ok(c.with_forms(forms))
    }

    fn with_forms(mut self, forms: Forms) -> Self {
        match &mut self {
            Component::Invoke(c) => c.forms = forms,
            Component::ReturnResult(c) => c.forms = forms,
            Component::ReturnError(c) => c.forms = forms,
            Component::Reject(c) => c.forms = forms,
        }
        self
    }

    /// Writes the component TLV.
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Component::Invoke(c) => w.tlv(tag::INVOKE, c.forms.get(0), |w| {
                w.primitive(
                    Tag::INTEGER,
                    c.forms.get(1),
                    &ber::int_contents(c.invoke_id),
                );
                if let Some(l) = c.linked_id {
                    w.primitive(Tag::context(0), c.forms.get(2), &ber::int_contents(l));
                }
                c.opcode.encode(w, c.forms.get(3));
                if let Some(p) = &c.parameter {
                    w.raw(p);
                }
            }),
            Component::ReturnResult(c) => {
                let t = if c.last {
                    tag::RETURN_RESULT_LAST
                } else {
                    tag::RETURN_RESULT_NOT_LAST
                };
                w.tlv(t, c.forms.get(0), |w| {
                    w.primitive(
                        Tag::INTEGER,
                        c.forms.get(1),
                        &ber::int_contents(c.invoke_id),
                    );
                    if let Some(op) = &c.opcode {
                        w.tlv(Tag::SEQUENCE, c.forms.get(2), |w| {
                            op.encode(w, c.forms.get(3));
                            if let Some(p) = &c.parameter {
                                w.raw(p);
                            }
                        });
                    }
                })
            }
            Component::ReturnError(c) => w.tlv(tag::RETURN_ERROR, c.forms.get(0), |w| {
                w.primitive(
                    Tag::INTEGER,
                    c.forms.get(1),
                    &ber::int_contents(c.invoke_id),
                );
                c.error_code.encode(w, c.forms.get(2));
                if let Some(p) = &c.parameter {
                    w.raw(p);
                }
            }),
            Component::Reject(c) => w.tlv(tag::REJECT, c.forms.get(0), |w| {
                match c.invoke_id {
                    Some(id) => w.primitive(Tag::INTEGER, c.forms.get(1), &ber::int_contents(id)),
                    None => w.primitive(Tag::NULL, c.forms.get(1), &[]),
                }
                w.primitive(
                    Tag::context(c.problem_type.number()),
                    c.forms.get(2),
                    &ber::int_contents(c.problem),
                );
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use crate::reader::Reader;

    fn rt(h: &str) -> Component {
        let b = hex::decode(h).unwrap();
        let t = Tlv::decode(&mut Reader::new(&b), 0).unwrap();
        let c = Component::decode(&t).unwrap();
        let mut w = Writer::new();
        c.encode(&mut w);
        assert_eq!(hex::encode(&w.into_vec()), hex::encode(&b));
        c
    }

    #[test]
    fn parses_invoke_with_linked_id_and_parameter() {
        let c = rt("a10e 020101 800100 02012d 3003 0401ff");
        let Component::Invoke(i) = c else { panic!() };
        assert_eq!(
            (i.invoke_id, i.linked_id, i.opcode.local()),
            (1, Some(0), Some(45))
        );
        assert_eq!(i.parameter.unwrap(), [0x30, 3, 4, 1, 0xff]);
    }

    #[test]
    fn parses_results_errors_and_rejects() {
        let Component::ReturnResult(r) = rt("a208 020101 3003 02012c") else {
            panic!()
        };
        assert_eq!(
            (r.last, r.opcode, r.parameter),
            (true, Some(Code::Local(44)), None)
        );
        let Component::ReturnResult(r) = rt("a703 020102") else {
            panic!()
        };
        assert!(!r.last && r.opcode.is_none());
        let Component::ReturnError(e) = rt("a308 020101 020106 3000") else {
            panic!()
        };
        assert_eq!(
            (e.error_code.local(), e.parameter.as_deref()),
            (Some(6), Some(&[0x30, 0][..]))
        );
        let Component::Reject(j) = rt("a406 020101 810101") else {
            panic!()
        };
        assert_eq!(
            (j.invoke_id, j.problem_type, j.problem),
            (Some(1), ProblemType::Invoke, 1)
        );
        assert_eq!(
            problem_name(j.problem_type, j.problem),
            Some("unrecognizedOperation")
        );
        let Component::Reject(j) = rt("a405 0500 800102") else {
            panic!()
        };
        assert_eq!((j.invoke_id, j.problem_type), (None, ProblemType::General));
        // Global operation code and a long-form length.
        let Component::Invoke(i) = rt("a18109 020101 0604 2a030405") else {
            panic!()
        };
        assert_eq!(i.opcode, Code::Global(Oid(vec![0x2a, 3, 4, 5])));
        assert_eq!(i.forms.get(0), LenForm::Long(1));
    }

    #[test]
    fn emits_constructors() {
        let mut w = Writer::new();
        Component::invoke(1, 45, Some(vec![0x30, 0])).encode(&mut w);
        Component::return_error(1, 34, None).encode(&mut w);
        Component::reject(None, ProblemType::ReturnError, 4).encode(&mut w);
        assert_eq!(
            hex::encode(&w.into_vec()),
            "a10802010102012d3000a306020101020122a4050500830104"
        );
    }

    #[test]
    fn rejects_malformed_components() {
        let b = hex::decode("a106 020101 0500 00").unwrap();
        let t = Tlv::decode(&mut Reader::new(&b), 0);
        assert!(t.is_err() || Component::decode(&t.unwrap()).is_err());
        let b = hex::decode("a5 00").unwrap();
        let t = Tlv::decode(&mut Reader::new(&b), 0).unwrap();
        assert_eq!(
            Component::decode(&t).unwrap_err().reason,
            Reason::Unsupported
        );
        let b = hex::decode("a406 020101 850101").unwrap();
        let t = Tlv::decode(&mut Reader::new(&b), 0).unwrap();
        assert_eq!(Component::decode(&t).unwrap_err().field, "tcap.problem");
    }
}
