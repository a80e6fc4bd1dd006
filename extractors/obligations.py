"""Obligations: who must do what, by when, under which condition.

One public entry point, :func:`obligations`. It is rule-based and fast: the
text is split into sentences (:func:`extractors.segment.sentences`), and in
each sentence every modal verb phrase whose subject is a party becomes an
:class:`~extractors.records.Obligation`:

* **obligor**: the subject, resolved to the party's defined alias (from the
  ``parties`` terms: "Acme Corp." or "Acme" → "Supplier"); "either party",
  "each party", "neither party", "the parties" become ``"each party"`` /
  ``"the parties"``. A subject that is not a party (``This Agreement shall be
  governed``, ``The Services will conform``) gives no obligation: precision
  first. One fallback for parties the ``parties`` terms missed: an acronym or a
  role noun ("SEV", "Agent") that the document introduces as an alias is
  ("(Agent)", "made between SEV and DCL") and uses as the subject of
  shall/will/must at least three times is its own obligor; a defined thing
  ("the Products"), a committee ("JSC") or "Section 4" never is.
* **modality**: ``shall``, ``must``, ``will``, ``agrees to`` (also "agree to",
  "undertakes to", "covenants to", "is required to"); a negated one ("shall
  not", "must not", "will not", "may not", "neither party shall", "agrees not
  to") is ``prohibition``. A freedom ("shall not be required/obligated to",
  "will not be responsible for", "shall not have any duty to"), a right
  ("shall have the right/option to", "shall have fifteen days to", "shall
  have access to", "shall have a license"), a benefit ("will receive",
  "shall acquire no right", "will incur no liability"), a condition ("if the
  parties shall be unable to settle") and boilerplate ("shall be of any
  force or effect") are no obligation.
* **passive**: "All invoices shall be paid by Customer" is Customer's duty to
  "pay all invoices" (a closed list of verbs); a passive without a party as
  agent ("Notice shall be given by mail", "Calm will be given notice") is
  nobody's obligation.
* **action**: the words after the modal up to the end of the clause
  (``;`` or the sentence end), with its deadline and trigger kept in it.
* **due**: a deadline date as ``YYYY-MM-DD`` ("no later than March 1, 2020"), "within 30 days", "no later than ...", "quarterly", "monthly",
  "annually", "promptly", "at least N days before ...".
* **trigger**: "upon termination ...", "if ...", "in the event ...",
  "following ...", "after ...".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from extractors.records import Clause, Document, Obligation, Term
from extractors.terms import _DATE_RE, parse_date

__all__ = ["OBLIGATIONS_VERSION", "obligations"]

OBLIGATIONS_VERSION = "clausewise.obligations.v4"

_MODAL = re.compile(
    r"\b(?P<free>(?:shall|will|is|are)\s+not\s+(?:be\s+)?(?:required|obligated|obliged|under\s+(?:any|an)\s+obligation)\s+to|(?:shall|will)\s+not\s+be\s+responsible\s+for|(?:shall|will)\s+not\s+have\s+any\s+(?:duty|obligation|responsibility|liability)\b)\b"
    r"|\b(?P<neg1>shall|must|will|may)\s+not\b|\b(?P<neg2>agrees?|undertakes?|covenants?)\s+not\s+to\b"
    r"|\b(?P<mod>shall|must|will|(?:hereby\s+)?agrees?\s+to|undertakes?\s+to|covenants?\s+(?:and\s+agrees?\s+)?to|"
    r"is\s+(?:required|obligated)\s+to|are\s+(?:required|obligated)\s+to)\b",
    re.IGNORECASE,
)
_GROUP_SUBJECTS = {
    "either party": "each party", "each party": "each party", "neither party": "each party",
    "each of the parties": "each party", "the parties": "the parties", "both parties": "the parties",
    "parties": "the parties", "each party hereto": "each party", "the parties hereto": "the parties",
    "neither of the parties": "each party",
}
# "multiplied by the remaining number of months" is arithmetic, not a deadline
_DUE = re.compile(
    r"(?i)\b(?:within|no\s+later\s+than|not\s+later\s+than|at\s+least|not\s+less\s+than|in\s+advance\s+of|prior\s+to|before|"
    r"(?<!multiplied\s)(?<!multiplying\s)(?<!divided\s)(?<!dividing\s)(?<!increased\s)(?<!reduced\s)(?<!decreased\s)(?<!extended\s)by)\s+"
    r"(?:[\w\s()\-]{0,30}?\b(?:days?|business\s+days?|hours?|weeks?|months?|years?)\b(?:\s+(?:after|of|from|following|before|prior\s+to)\s+[^,;.]{1,60})?)"
    # "the monthly billings" names an amount and "the month immediately preceding" a period, not when it is due
    r"|\b(?<!the\s)(?<!of\s)(?:quarterly|monthly|annually|weekly|daily|yearly|semi-annually|promptly|immediately(?!\s+(?:preceding|available)\b)"
    r"|without\s+undue\s+delay|forthwith)\b"
    r"|\b(?:once|twice)\s+(?:per|in\s+any|each|every|a)\s+(?:calendar\s+)?(?:year|quarter|month)\b"
)
_TRIGGER = re.compile(
    r"(?i)\b(?:upon|on|following|after|in\s+the\s+event\s+(?:of|that)|if|in\s+case\s+of|unless|where|when)\s+"
    # not "pay when due a fee", nor a bare "if any," / "where applicable": they say when or whether, not on what
    r"(?!due\b(?!\s+to\b)|(?:any|applicable|necessary|appropriate|required|possible|practicable)\s*(?:[,;.)]|$))"
    r"(?:the\s+)?(?:(?:expiration|termination|expiry|receipt|request|completion|delivery|discovery|notice|the\s+occurrence)\b[^,;.]{0,80}"
    r"|[^,;.]{3,100})"
)
_LEAD_TRIGGER = re.compile(
    r"(?i)^\s*(?:(?:upon|following|after)\s+(?:the\s+)?(?:expiration|termination|expiry|receipt|request|completion|delivery|discovery|written\s+request)[^,]{0,100}"
    r"|(?:if|in\s+the\s+event\s+(?:of|that)|in\s+case\s+of|where|when|unless)\s+[^,]{3,160}),"
)


def _aliases(parties: Sequence[Term]) -> list[tuple[str, str]]:
    """(lower-cased surface form, alias) pairs, longest first."""
    pairs: list[tuple[str, str]] = []
    for term in parties:
        value = term.value
        if not isinstance(value, dict):
            continue
        alias = str(value.get("alias") or "").strip()
        name = str(value.get("name") or "").strip()
        if not alias:
            continue
        forms = {alias, name, name.rstrip("."), re.sub(r",?\s+(?:Inc|LLC|Ltd|Corp|Co|L\.P|plc|GmbH|S\.A|N\.V|B\.V)\.?$", "", name)}
        pairs.extend((f.lower(), alias) for f in forms if f)
    return sorted(set(pairs), key=lambda p: -len(p[0]))


# Obligors the parties terms missed: a short capitalised term that the document both introduces the way a party's
# alias is introduced ("PDMS and Gateway (Agent)", "made between SEV and DCL") and uses as the subject of
# "shall"/"will"/"must" again and again. Only an acronym ("SEV") or a role noun ("Agent", "Licensee") qualifies, so
# a defined thing ("the Products", "Section 4", "this Agreement") never becomes an obligor.
_MIN_SUBJECT_USES = 3
_SUBJECT_USE = re.compile(
    r"(?:^|[.;:]\s+|\n\s*|\(\w{1,4}\)\s+|\b\d+(?:\.\d+)*\.?\s*)(?:[Tt]he\s+)?"
    r"(?P<term>[A-Z][A-Za-z&\-]{1,24}(?:\s+[A-Z][A-Za-z&\-]{1,24})?)\s+(?:shall|will|must)\s+(?!be\s+\w+(?:ed|en)\b)"
)
_ROLE_NOUN = re.compile(
    r"[A-Z]{2,6}|(?:[A-Z][a-z]+\s+)?(?:[A-Z][a-z]+(?:or|er|ee|ant|ist|ary)|Agent|Company|Bank|Client|Principal|Recipient"
    r"|Trust|Fund|Sponsor|Franchisor|Franchisee|Tenant)"
)
_NOT_OBLIGOR = {"agreement", "section", "article", "clause", "schedule", "exhibit", "appendix", "annex", "party",
                "parties", "order", "purchase order", "number", "letter", "transfer", "matter", "register", "center",
                "centre", "chapter", "meter", "filter", "water", "power", "paper", "cover", "computer", "server",
                "container", "monitor", "error", "factor", "sector", "summary", "inventory", "territory", "delivery",
                "primary", "secondary", "commentary", "dictionary", "salary", "glossary", "boundary", "notice", "term",
                "fee", "fees", "tax", "price", "product", "products", "services", "service", "software", "content",
                "information", "confidential information", "customer data", "indemnitee", "indemnitor", "data", "none", "nothing", "each", "all",
                "neither", "either", "this", "such", "any", "no", "if", "it", "we", "you", "they", "he", "she"}


# what a defined acronym names when it is no party: 'Joint Steering Committee (the "JSC")'
_BODY = re.compile(r"(?i)\b(?:committee|board|team|council|panel|group|plan|order|letter|agreement|program(?:me)?)\s*,?\s*$")


def _introduced(text: str, term: str) -> bool:
    """Is ``term`` introduced as a party's alias is: '(Agent)', '("Agent")', '(the "Agent")', 'between SEV and DCL'?"""
    t = re.escape(term)
    if re.search(rf"\bbetween\s+(?:the\s+)?{t}\s+and\s+(?:the\s+)?[A-Z]|\bbetween\s+(?:the\s+)?[A-Z][\w&\-]*\s+and\s+(?:the\s+)?{t}\b",
                 text):
        return True
    defined = re.finditer(rf"""\(\s*(?:the\s+|here(?:in)?after\s+(?:referred\s+to\s+as\s+)?(?:the\s+)?)?["“]?{t}["”]?\s*\)""", text)
    return any(not _BODY.search(text[max(0, d.start() - 40) : d.start()]) for d in defined)


def _undefined_obligors(text: str, aliases: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(lower-cased form, obligor) pairs for the role terms the parties terms missed (see ``_SUBJECT_USE``)."""
    known = {form for form, _ in aliases}
    uses: dict[str, int] = {}
    for m in _SUBJECT_USE.finditer(text):
        term = " ".join(m.group("term").split())
        uses[term] = uses.get(term, 0) + 1
    extra = [
        (term.lower(), term) for term, n in uses.items()
        if n >= _MIN_SUBJECT_USES and term.lower() not in known and term.lower() not in _NOT_OBLIGOR
        and term.split()[-1].lower() not in _NOT_OBLIGOR
        and _ROLE_NOUN.fullmatch(term) and _introduced(text, term)
    ]
    return sorted(extra, key=lambda p: -len(p[0]))


_ADVERBIAL = re.compile(
    r"(?i)^(?:at\s+(?:its|their)\s+(?:own\s+)?(?:sole\s+)?(?:cost|expense|option|discretion)(?:\s+and\s+(?:expense|cost))?|"
    r"in\s+(?:its|their)\s+sole\s+discretion(?:\s+and\s+at\s+its\s+own\s+expense)?|also|itself|hereby|promptly|further|thereafter|then|"
    r"therefore|however|accordingly|in\s+addition|additionally|furthermore|in\s+turn|as\s+applicable|if\s+applicable)$"
)
_NUMBERING = re.compile(r"^(?:\(?[a-z0-9ivx]{1,4}\)|[a-z0-9ivx]{1,4}[.)]|\d+(?:\.\d+)*\.?|section\s+\d+(?:\.\d+)*\.?)\s+", re.IGNORECASE)


def _resolve(chunk: str, aliases: Sequence[tuple[str, str]]) -> tuple[str, bool] | None:
    chunk = re.sub(r"\s+", " ", chunk).strip(" ,(\"'")
    for _ in range(2):
        chunk = _NUMBERING.sub("", chunk)
    chunk = re.sub(r"(?i)\s+(?:hereby|also|further|thereafter|then|promptly|itself)$", "", chunk).strip(" ,")
    low = chunk.lower()
    low = re.sub(r"^(?:and|or|but|then|so)\s+", "", low)
    low = re.sub(r"^said\s+", "", low)
    if _ROLE.fullmatch(low) or re.match(r"(?:either|each)\s+party\s+\w+ing\b", low):
        return "each party", False  # "the Receiving Party", "Either party learning of ..."
    names = [alias for form, alias in aliases if re.search(rf"(?:^|\s){re.escape(form)}(?:$|\s)", low)]
    if len(set(names)) >= 2 and re.fullmatch(r"(?:the\s+)?[\w&.\- ]+\s+and\s+(?:the\s+)?[\w&.\- ]+", low) and len(low) < 80:
        return "the parties", False  # "Distributor and Tripath will cooperate"
    for group, canonical in _GROUP_SUBJECTS.items():
        if low == group or low.endswith(" " + group) and len(low) - len(group) <= 12:
            return canonical, group.startswith("neither")
    for form, alias in aliases:
        if low == form or low == "the " + form or low == "each " + form:
            return alias, False
        # "Supplier and its Affiliates"
        if re.fullmatch(rf"(?:the\s+)?{re.escape(form)}\s+and\s+its\s+(?:affiliates|subsidiaries|personnel|employees|agents|subcontractors)", low):
            return alias, False
    return None


def _subject_text(before: str) -> str:
    """The words a modal's subject would be drawn from: the last comma part of the last clause before it."""
    clause = re.split(r"[;:]|\b(?:that|which|whereupon|provided)\s+(?=[A-Z\"])", before)[-1]
    parts = [p.strip() for p in clause.split(",") if p.strip() and not _ADVERBIAL.match(p.strip())]
    last = parts[-1] if parts else ""
    modal = _MODAL.search(last)
    if modal:  # "Defects must be replaced ... and all charges": the words after the "and" that follows that modal
        last = re.split(r"\s(?:and|or)\s", last[modal.end() :], maxsplit=1)[-1]
    return re.sub(r"(?i)^(?:and|or|but)\s+", "", last.strip())


_SHARED_ACTION = re.compile(
    r"(?i)\s*,\s*(?:and|or)\s+(?:shall|will|must)\s+(?:not\s+)?(?:cause|permit|allow|ensure|procure|direct|require|"
    r"authori[sz]e|suffer)\b[^,;]{0,100}?,\s*"
)


def _subject(before: str, aliases: Sequence[tuple[str, str]]) -> tuple[str, bool] | None:
    """The obligor named right before a modal, and whether it is 'neither'."""
    clause = re.split(r"[;:]|\b(?:that|which|whereupon|provided)\s+(?=[A-Z\"])", before)[-1]
    parts = [p for p in re.split(r",", clause)]
    for part in reversed(parts):
        stripped = part.strip()
        if not stripped or _ADVERBIAL.match(stripped):
            continue
        return _resolve(stripped, aliases)
    return None


_ROLE = re.compile(
    r"(?:the\s+|a\s+|any\s+|such\s+)?(?:(?:receiving|disclosing|indemnified|indemnifying|non-?performing|affected|breaching|"
    r"notifying|requesting)\s+party|recipient(?:\s+of\s+(?:the\s+)?(?:confidential\s+)?information)?)"
)
_NOT_DUTY = re.compile(r"(?i)^(?:also\s+|further\s+)?(?:own|have\s+(?:the\s+|a\s+|an\s+)?(?:(?:sole|exclusive|first|full|absolute|irrevocable|"
                       r"unilateral|continuing|non-?exclusive)\s+(?:and\s+\w+\s+)?)?(?:right|option|privilege|no)|"
                       r"have\s+(?:a\s+period\s+of\s+|up\s+to\s+)?[\w\s()\-]{1,30}?\b(?:business\s+|calendar\s+)?(?:days?|weeks?|months?)\s+"
                       r"(?:to|in\s+which|within\s+which)\b|be\s+entitled|be\s+deemed|not\s+be\s+liable|be\s+liable|"
                       r"retain\s+(?:all\s+)?(?:right|title|ownership)|be\s+the\s+(?:sole\s+)?owner|have\s+sole\s+discretion|"
                       r"be\s+(?:notified|eligible|permitted|allowed|free|relieved|excused))\b"
                       # a right, a benefit, a condition or boilerplate, not a duty: "shall have access to", "shall have a
                       # non-exclusive license", "will receive Product", "shall acquire no right", "will incur no
                       # liability", "shall be unable to settle", "(no waiver) shall be of any force or effect"
                       r"|^(?:also\s+)?(?:have\s+(?:a|an|the)\s+(?:[\w-]+,?\s+){0,4}(?:sub)?licen[cs]e\b"
                       r"|have\s+(?:any|no)\s+(?:duty|obligation|responsibility|liability)|(?:continue\s+to\s+)?be\s+entitled"
                       # ("must receive written approval before ..." is a duty to obtain it)
                       r"|receive\b(?!\s+and\b)(?!\s+(?:[\w'’]+\s+){0,3}(?:approval|authori[sz]ation|permission|consent|confirmation)\b)"
                       r"|(?:acquire|obtain|gain)\s+no\b|incur\s+(?:no\s+|any\s+)?liability|be\s+unable\b"
                       r"|be\s+of\s+(?:any|no)\s+(?:\w+\s+)?(?:force|effect|validity))")
# "shall have access to Client Data" is a right; "neither party shall have access to the records" still a prohibition
_ACCESS = re.compile(r"(?i)^(?:also\s+)?have\s+(?:full\s+|reasonable\s+)?access\s+to\b")
_ELLIPSIS = re.compile(r"(?i)(?:,\s*)?\b(?:and|or|but)\s*(?:,\s*)?(?:\w+ly\s+)?$")


# Passive duties with a party as agent ("All invoices shall be paid by Customer"): participle → verb. A closed list,
# so the verb is always spelled right; a passive with no party as agent is nobody's obligation.
_IRREGULAR = {"paid": "pay", "made": "make", "given": "give", "sent": "send", "borne": "bear", "kept": "keep",
              "held": "hold", "sold": "sell", "done": "do", "shown": "show", "taken": "take", "undertaken": "undertake",
              "brought": "bring", "built": "build", "written": "write", "withheld": "withhold", "told": "tell"}
_DOUBLED = ("ship", "submit", "remit", "transfer", "refer", "plan")
_REGULAR = (
    "deliver", "provide", "perform", "supply", "furnish", "reimburse", "replace", "repair", "return", "maintain",
    "prepare", "issue", "invoice", "install", "obtain", "conduct", "complete", "file", "procure", "render", "approve",
    "handle", "report", "refund", "credit", "purchase", "order", "manufacture", "package", "test", "store", "insure",
    "notify", "inform", "assume", "deposit", "collect", "calculate", "compute", "process", "arrange", "review",
    "inspect", "correct", "remedy", "cure", "forward", "distribute", "market", "promote", "train", "develop", "design",
    "produce", "update", "operate", "manage", "host", "support", "secure", "protect", "destroy", "indemnify", "defend",
    "compensate", "advise", "pay", "retain", "publish", "register", "label", "ship", "submit", "remit", "transfer",
)


def _participle(verb: str) -> str:
    if verb in _DOUBLED:
        return verb + verb[-1] + "ed"
    if verb.endswith("e"):
        return verb + "d"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ied"
    return verb + "ed"


_BASE = {**{_participle(v): v for v in _REGULAR}, **_IRREGULAR}
_PASSIVE = re.compile(r"(?i)^be\s+(?:\w+ly\s+|first\s+|then\s+|also\s+|further\s+)?(?!(?:required|obligated|obliged|expected|committed)\b)(?P<part>\w+(?:ed|en)|paid|made|sent|held|kept|sold|done|shown|told|brought|"
                      r"built|borne|withheld)\b(?!\s+(?:to|that)\b)")
_BY = re.compile(r"(?i)\s+by\s+")
_NO_PATIENT = re.compile(r"(?i)^(?:which|that|who|it|they|this|these|those|such|no|neither|none)\b"
                         r"|\b(?:if|in\s+the\s+event|when|whenever|unless|where|that|to\s+the\s+extent)\b")
_DETERMINER = re.compile(r"^(?:All|Any|The|Each|Such|Every|Said|Its|Their|Such)\b")


def _passive(action: str, patient: str, aliases: Sequence[tuple[str, str]]) -> tuple[str, tuple[str, bool]] | None:
    """("pay all invoices within 45 days", (obligor, neither)) for "be paid by Customer within 45 days"; else None."""
    m = _PASSIVE.match(action)
    base = _BASE.get(m.group("part").lower()) if m else None
    by = _BY.match(action, m.end()) if m else None
    patient = _NUMBERING.sub("", patient.strip(" ,")).strip(" ,")
    if m is None or base is None or by is None or not patient or len(patient) > 100 or _NO_PATIENT.match(patient):
        return None
    words = list(re.finditer(r"[^\s,;]+", action[by.end() :]))[:6]
    for n in range(len(words), 0, -1):  # the longest run of words after "by" that names a party
        agent = _resolve(action[by.end() : by.end() + words[n - 1].end()], aliases)
        if agent is not None:
            rest = action[by.end() + words[n - 1].end() :].strip(" ,")
            if _DETERMINER.match(patient):
                patient = patient[0].lower() + patient[1:]
            return " ".join(f"{base} {patient} {rest}".split()), agent
    return None


def _clause_of(clauses: Sequence[Clause], offset: int) -> Clause | None:
    for c in clauses:
        if c.start <= offset < c.end:
            return c
    return None


def _spans(document: Document, clauses: Sequence[Clause]) -> Iterable[tuple[int, int]]:
    from extractors.segment import sentences

    text = document.text
    if clauses:
        for c in clauses:
            yield from sentences(text, c.start, c.end)
    else:
        yield from sentences(text)


_BY_DATE = re.compile(r"(?i)\b(?:(?:no|not)\s+later\s+than|on\s+or\s+before|by|before|prior\s+to)\s+(?:the\s+)?$")


def _due(action: str) -> str | None:
    for d in _DATE_RE.finditer(action):  # a deadline date: "no later than March 1, 2020" → "2020-03-01"
        parsed = parse_date(d)
        if parsed is not None and parsed[1] == "date" and _BY_DATE.search(action[max(0, d.start() - 30) : d.start()]):
            return parsed[0]
    m = _DUE.search(action)
    return " ".join(m.group().split()) if m else None


def _trigger(sentence_before: str, action: str) -> str | None:
    lead = _LEAD_TRIGGER.search(_NUMBERING.sub("", sentence_before.lstrip(), count=1))
    if lead:
        return " ".join(lead.group().rstrip(",").split())
    m = _TRIGGER.search(action)
    if m and not re.match(r"(?i)(?:on|upon)\s+(?:behalf|the\s+terms|terms|its\s+own|a\s+(?:non-)?exclusive)", m.group()):
        if re.match(r"(?i)(?:on|upon)\b", m.group()) and not re.search(r"(?i)termination|expiration|expiry|receipt|request|completion|delivery|notice|discovery|occurrence|payment", m.group()):
            return None
        return " ".join(m.group().split())
    return None


def obligations(document: Document, clauses: Sequence[Clause] = (), parties: Sequence[Term] = ()) -> tuple[Obligation, ...]:
    """Every obligation of a party found in ``document``, in text order.

    ``parties`` are the ``parties`` terms of :func:`extractors.terms.terms`
    (their aliases name the obligors); ``clauses`` only scope the sentences
    and name the clause; both may be empty.
    """
    text = document.text
    flat = re.sub(r"\s", " ", text)
    aliases = _aliases([p for p in parties if p.kind == "parties"])
    aliases = sorted([*aliases, *_undefined_obligors(flat, aliases)], key=lambda p: -len(p[0]))
    out: list[Obligation] = []
    seen: set[tuple[int, int]] = set()
    for s, e in _spans(document, clauses):
        if (s, e) in seen or e - s < 12:
            continue
        seen.add((s, e))
        sentence = flat[s:e]
        if not _MODAL.search(sentence):
            continue
        modals = list(_MODAL.finditer(sentence))
        last: tuple[str, bool] | None = None
        subjects: list[tuple[str, bool] | None] = []
        for i, m in enumerate(modals):
            found = _subject(sentence[: m.start()], aliases)
            if found is None and last is not None and _ELLIPSIS.search(sentence[: m.start()]):
                found = last  # "Supplier shall A and shall B"
            if found is None and i == 0:
                lead = re.match(r"\s*(?:the\s+)?([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,3})\s+(?:hereby\s+)?\w+s\b[^,]{0,60},\s+and\s*$", sentence[: m.start()])
                if lead:
                    found = _resolve(lead.group(1), aliases)  # "Supplier hereby assigns, and shall cause"
            patient = _subject_text(sentence[: m.start()])
            passive = _passive(sentence[m.end() :].lstrip(), patient, aliases)
            if passive is not None:
                found = passive[1]  # "All invoices shall be paid by Customer": Customer's duty
            elif found is not None and _PASSIVE.match(sentence[m.end() :].lstrip()):
                last = found  # "Calm will be given notice": done to Calm, not by it
                continue
            subjects.append(found)
            if found is None:
                continue
            last = found
            if m.group("free"):
                continue  # "shall not be required to": a freedom, not a duty
            obligor, neither = found
            mod = (m.group("mod") or "").lower()
            if m.group("neg1") or m.group("neg2") or neither:
                modality = "prohibition"
            elif mod in ("shall", "must", "will"):
                modality = mod
            else:
                modality = "agrees to"
            # the action: after the modal, to the end of the clause or the next modal's subject
            a_start = m.end()
            shared = _SHARED_ACTION.match(sentence, a_start)
            if shared and modality == "prohibition":
                a_start = shared.end()  # "shall not, and shall cause its Affiliates not to, solicit ..."
            limit = len(sentence)
            semi = sentence.find(";", a_start)
            if semi != -1:
                limit = semi
            for nxt in modals[i + 1 :]:
                if nxt.start() >= limit:
                    break
                ellipsis = _ELLIPSIS.search(sentence[: nxt.start()])
                if ellipsis is not None and ellipsis.start() > a_start:
                    limit = ellipsis.start()
                    break
                nxt_before = sentence[: nxt.start()]
                if _subject(nxt_before, aliases) is not None or _passive(
                        sentence[nxt.end() :].lstrip(), _subject_text(nxt_before), aliases) is not None:
                    cut = max(sentence.rfind(",", a_start, nxt.start()), sentence.rfind(" and ", a_start, nxt.start()))
                    limit = cut if cut > a_start else nxt.start()
                    break
            action = " ".join(sentence[a_start:limit].split()).strip(" ,.")
            action = re.sub(r"^((?:cause|permit|allow|ensure|procure|direct|require)\b[^,;]{0,80}?\bto),\s+", r"\1 ", action)
            if passive is not None:
                rebuilt = _passive(action, patient, aliases)
                if rebuilt is None:
                    continue
                action = rebuilt[0]
            if len(action) < 3 or _NOT_DUTY.match(action) or modality != "prohibition" and _ACCESS.match(action):
                continue
            if re.match(r"(?i)(?:make|give|take|grant|provide)\s+no\b", action):
                modality = "prohibition"  # "will make no representations"
            start, end = s + m.start(), s + limit
            clause = _clause_of(clauses, start)
            due = _due(action)
            trigger = _trigger(sentence[: m.start()], action)
            if trigger is None and clause is not None and clause.start < s:
                lead = _LEAD_TRIGGER.search(flat[clause.start : s])
                trigger = " ".join(lead.group().rstrip(",").split()) if lead else None
            if trigger is not None and due is not None and trigger in due:
                trigger = None
            out.append(
                Obligation(
                    obligor=obligor, modality=modality, action=action, due=due,
                    trigger=trigger, clause_id=clause.id if clause else None,
                    page=document.page_at(start), start=start, end=end,
                )
            )
    return tuple(out)
