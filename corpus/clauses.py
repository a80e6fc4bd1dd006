"""The body of a demo contract: articles and clauses written from a :class:`Spec`.

Each builder takes the contract's :class:`Spec` (the values chosen by design)
and a seeded :class:`random.Random` (for wording only) and returns
:class:`~corpus.layout.Unit` trees. A clause that embodies a category carries
it in ``Unit.cats``; the value it states is the value recorded in the spec, so
the ground truth and the words agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from random import Random
from typing import Any

from corpus.layout import Unit
from corpus.parties import Company
from corpus.wording import (add_months, count, money_words, months_or_years, number_words,
                            percent, period, us_date)

__all__ = ["COMMERCIAL_CATEGORIES", "CUAD_CATEGORIES", "Spec", "articles"]

#: CUAD v1's 41 categories, spelled as in CUAD's question ids and labels.jsonl
#: ("Cap On Liability"); categories.csv writes some in sentence case ("Cap on Liability").
CUAD_CATEGORIES = (
    "Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date",
    "Renewal Term", "Notice Period To Terminate Renewal", "Governing Law", "Most Favored Nation",
    "Non-Compete", "Exclusivity", "No-Solicit Of Customers", "Competitive Restriction Exception",
    "No-Solicit Of Employees", "Non-Disparagement", "Termination For Convenience",
    "Rofr/Rofo/Rofn", "Change Of Control", "Anti-Assignment", "Revenue/Profit Sharing",
    "Price Restrictions", "Minimum Commitment", "Volume Restriction", "Ip Ownership Assignment",
    "Joint Ip Ownership", "License Grant", "Non-Transferable License",
    "Affiliate License-Licensor", "Affiliate License-Licensee",
    "Unlimited/All-You-Can-Eat-License", "Irrevocable Or Perpetual License", "Source Code Escrow",
    "Post-Termination Services", "Audit Rights", "Uncapped Liability", "Cap On Liability",
    "Liquidated Damages", "Warranty Duration", "Insurance", "Covenant Not To Sue",
    "Third Party Beneficiary",
)
#: Commercial categories Clausewise adds to CUAD's.
COMMERCIAL_CATEGORIES = (
    "Service Levels", "Service Credits", "Payment Terms", "Price Adjustment", "Data Protection",
    "Governance", "Review And Renegotiation", "Dispute Escalation",
)

VENUES = {
    "Delaware": "Wilmington, Delaware", "New York": "New York County, New York",
    "California": "San Francisco County, California", "Texas": "Dallas County, Texas",
    "Illinois": "Cook County, Illinois", "Massachusetts": "Suffolk County, Massachusetts",
    "Washington": "King County, Washington", "Georgia": "Fulton County, Georgia",
    "Ohio": "Franklin County, Ohio", "Pennsylvania": "Philadelphia County, Pennsylvania",
    "England and Wales": "London, England", "Ontario": "Toronto, Ontario",
}


@dataclass
class Spec:
    """Everything chosen by design for one contract (the ground truth's source)."""

    index: int
    contract_type: str  # services, saas, supply, license, distribution
    title: str
    abbrev: str  # "MSA", used in the running header and file name
    our_role: str  # "supplier" or "customer"
    supplier: Company
    customer: Company
    S: str  # supplier's defined alias
    C: str  # customer's defined alias
    supplier_first: bool
    offer: str  # what the supplier supplies
    agreement_date: date
    effective_date: date
    initial_term_months: int | None
    auto_renewal: bool
    renewal_term_months: int | None
    notice_period_days: int | None
    renewal_notice_party: str  # "either" or an alias
    governing_law: str
    liability_cap: dict[str, Any] | None
    cap_carveouts: bool
    payment_days: int | None
    price_increase_cap: dict[str, Any] | None
    uptime_pct: float | None
    service_credits: bool
    data_protection: bool
    breach_notice_hours: int | None
    insurance_min: int | None
    warranty_months: int | None
    audit_rights: str | None
    termination_for_convenience: dict[str, Any] | None
    governance: str | None
    review_renegotiation: bool
    dispute_escalation: dict[str, Any] | None
    anti_assignment: bool
    change_of_control: bool
    exclusivity: bool
    non_compete: bool
    ip_ownership_assignment: bool
    extras: set[str] = field(default_factory=set)  # further CUAD categories, by design
    territory: str = "the United States"
    verbosity: int = 1  # 0 short form, 1 standard, 2 long form
    target_pages: int = 12
    kind: str = "agreement"  # short name for the file: "msa", "supply", ...

    @property
    def expiration_date(self) -> date | None:
        if self.initial_term_months is None:
            return None
        return add_months(self.effective_date, self.initial_term_months)

    @property
    def the_offer(self) -> str:
        """The offering with exactly one leading article: "the Acme Pulse platform"."""
        return self.offer if self.offer.startswith("the ") else f"the {self.offer}"

    @property
    def fee_schedule(self) -> str:
        """Where the Fees are set out."""
        return {"saas": "the applicable Order Form", "services": "the applicable Statement of Work"}.get(
            self.contract_type, "Exhibit A")

    @property
    def orders(self) -> str:
        """The ordering documents, plural."""
        return {"saas": "Order Forms", "services": "Statements of Work"}.get(
            self.contract_type, "Purchase Orders accepted under it")

    @property
    def standard(self) -> str:
        """What the deliverables must conform to."""
        t = self.contract_type
        if t in ("supply", "distribution"):
            return "Specifications"
        return "applicable Statement of Work" if t == "services" else "Documentation"

    def alias_of(self, party: str) -> str:
        return {"supplier": self.S, "customer": self.C}.get(party, party)


def _pick(r: Random, *options: str) -> str:
    return r.choice(options)


def _days(n: int) -> str:
    return count(n, "day")


def _present(units: list[Unit | None]) -> list[Unit]:
    """Drop the clauses a short-form contract leaves out (given as ``None``)."""
    return [u for u in units if u is not None]


def _items(texts: list[str]) -> list[Unit]:
    return [Unit(None, t) for t in texts]


# --------------------------------------------------------------------------- definitions


def _definitions(s: Spec, r: Random) -> list[tuple[str, str]]:
    S, C, t = s.S, s.C, s.contract_type
    pool: list[tuple[str, set[str] | None, str]] = [
        ("Affiliate", None, 'means, with respect to a party, any entity that directly or indirectly '
         'controls, is controlled by, or is under common control with such party, where "control" means '
         'ownership of more than fifty percent (50%) of the voting interests of the entity or the power to '
         'direct its management and policies.'),
        ("Applicable Law", None, "means all laws, statutes, regulations, ordinances, codes, rules and "
         "orders of any governmental authority that apply to a party, to the subject matter of this "
         "Agreement or to the performance of a party's obligations under it."),
        ("Business Day", None, "means any day other than a Saturday, a Sunday or a day on which national "
         "banks in New York, New York are authorized or required by law to close."),
        ("Confidential Information", None, "has the meaning given in [[ref:confidentiality]]."),
        ("Customer Data", {"saas", "services"}, f"means all data, records, files and other information, "
         f"including Personal Data, that {C} or its Users submit to or store in the Services, together "
         f"with all outputs derived from that data."),
        ("Deliverables", {"services"}, f"means all documents, reports, software, configurations, "
         f"designs and other materials that {S} is required to deliver to {C} under a Statement of Work."),
        ("Documentation", {"saas", "license", "supply", "distribution"}, f"means {S}'s user guides, "
         f"specifications, release notes and technical manuals for the "
         f"{'Products' if t in ('supply', 'distribution') else 'Software' if t == 'license' else 'Services'}"
         f", as updated by {S} from time to time."),
        ("Fees", None, f"means the fees and charges payable by {C} under this Agreement, as set forth in "
         f"{s.fee_schedule}."),
        ("Intellectual Property Rights", None, "means all patents, copyrights, trademarks, trade secrets, "
         "database rights, moral rights and other intellectual property rights of any kind, whether "
         "registered or unregistered, anywhere in the world, together with all applications, renewals "
         "and extensions of them."),
        ("Losses", None, "means all losses, liabilities, damages, settlements, judgments, fines, "
         "penalties, costs and expenses, including reasonable attorneys' fees and costs of investigation."),
        ("Order Form", {"saas"}, f"means an ordering document for the Subscription Services executed by "
         f"{S} and {C} that references this Agreement and specifies the subscription scope, Users and "
         f"Fees."),
        ("Personal Data", None, "means any information relating to an identified or identifiable natural "
         "person that is processed in connection with this Agreement."),
        ("Products", {"supply", "distribution"}, f"means {s.the_offer} described in Exhibit A, as "
         f"amended by the parties in writing from time to time."),
        ("Purchase Order", {"supply", "distribution"}, f"means a written or electronic order for "
         f"Products issued by {C} to {S} in accordance with this Agreement."),
        ("Representatives", None, "means a party's and its Affiliates' directors, officers, employees, "
         "agents, contractors, auditors and professional advisers."),
        ("Security Incident", None, "means any actual or reasonably suspected unauthorized access to, or "
         "acquisition, use, disclosure, alteration or destruction of, Personal Data or Confidential "
         "Information."),
        ("Services", {"services", "saas"}, f"means {s.the_offer} provided by {S} under this Agreement, "
         f"including any related support, training and consulting services."),
        ("Software", {"license"}, f"means {s.offer}, in object code form, together with all Updates and "
         f"the Documentation."),
        ("Specifications", {"supply", "distribution"}, "means the technical, performance and quality "
         "specifications for each Product set forth or referenced in Exhibit A."),
        ("Statement of Work", {"services"}, f"means a statement of work describing Services and "
         f"Deliverables that is executed by both parties and references this Agreement, including the "
         f"initial Statement of Work attached as Exhibit A."),
        ("Subprocessor", {"saas", "services"}, f"means any third party engaged by {S} to process "
         f"Personal Data on behalf of {C}."),
        ("Taxes", None, "means all sales, use, value-added, goods and services, withholding and similar "
         "taxes, duties and levies imposed by any governmental authority, excluding taxes based on a "
         "party's net income."),
        ("Term", None, "has the meaning given in [[ref:term]]."),
        ("Territory", {"distribution"}, f"means {s.territory}."),
        ("Trademarks", {"distribution", "license"}, f"means the trademarks, trade names, logos and "
         f"service marks of {S} identified in writing by {S} from time to time."),
        ("Updates", {"license", "saas"}, f"means bug fixes, patches, maintenance releases and new "
         f"versions of the {'Software' if t == 'license' else 'Subscription Services'} that {S} makes "
         f"generally available to its customers."),
        ("Users", {"saas", "license"}, f"means the employees and contractors of {C} and its Affiliates "
         f"whom {C} authorizes to use the {'Software' if t == 'license' else 'Subscription Services'}."),
        ("Work Product", {"services"}, f"means the Deliverables and all other works of authorship, "
         f"inventions, developments and materials conceived, made or reduced to practice by {S} or its "
         f"personnel, alone or jointly, in performing the Services."),
        ("Change Order", {"services"}, "means a written document, executed by both parties, that amends "
         "the scope, schedule or Fees of a Statement of Work."),
        ("Defect", {"license", "saas", "supply"}, "means any failure of the Software, Services or "
         "Products, as applicable, to conform in all material respects to the Documentation or the "
         "Specifications."),
        ("Force Majeure Event", None, "has the meaning given in [[ref:force_majeure]]."),
        ("Forecast", {"supply"}, f"means {C}'s good faith, rolling twelve (12) month estimate of its "
         f"requirements for Products, delivered under [[ref:forecasts]]."),
        ("Contract Year", None, "means each successive twelve (12) month period beginning on the "
         "Effective Date or on an anniversary of it."),
        ("Support Services", {"saas", "license"}, f"means the technical support and maintenance services "
         f"described in [[ref:support]]."),
        ("Competitor", None, f"means any person or entity whose principal business competes with the "
         f"business of {C}, as reasonably determined by {C}."),
        ("Third-Party Materials", {"saas", "license", "services"}, "means software, data or other "
         "materials owned by a third party and provided or incorporated under that third party's terms."),
        ("Laws", None, "means Applicable Law."),
    ]
    chosen = [(term, text) for term, types, text in pool if types is None or t in types]
    chosen = [x for x in chosen if x[0] != "Laws"]
    keep = {0: 4, 1: 13, 2: 40}[s.verbosity]
    essential = {"Affiliate", "Products", "Statement of Work", "Order Form", "Software", "Territory",
                 "Fees"}
    if s.verbosity:
        essential |= {"Confidential Information", "Term", "Force Majeure Event", "Forecast",
                      "Support Services", "Personal Data"}
    must = [x for x in chosen if x[0] in essential]
    rest = [x for x in chosen if x[0] not in essential]
    r.shuffle(rest)
    picked = must + rest[: max(0, keep - len(must))]
    return sorted(picked)


def definitions_article(s: Spec, r: Random) -> Unit:
    intro = _pick(r,
                  "Capitalized terms used in this Agreement have the meanings set forth below or "
                  "elsewhere in this Agreement:",
                  "The following terms, when capitalized, have the following meanings:",
                  "In this Agreement, the following capitalized terms have the meanings given below:")
    defs = [Unit(None, f'"{term}" {text}', numbered=False) for term, text in _definitions(s, r)]
    interp = Unit("Interpretation", "In this Agreement, (a) headings are for convenience only and do "
                  "not affect interpretation; (b) the words \"include\", \"includes\" and \"including\" "
                  "are deemed to be followed by \"without limitation\"; (c) references to a party "
                  "include its successors and permitted assigns; and (d) the singular includes the "
                  "plural and vice versa.")
    children = [Unit("Definitions", intro, children=defs)] + ([interp] if s.verbosity else [])
    return Unit(_pick(r, "Definitions", "Definitions and Interpretation"), "", key="definitions",
                children=children)


# --------------------------------------------------------------------------- type-specific core


def _services_core(s: Spec, r: Random) -> list[Unit]:
    S, C = s.S, s.C
    drafts: list[Unit | None] = [
        Unit("Services", f"{S} shall provide to {C} {s.the_offer} described in this Agreement and in "
             f"one or more statements of work executed by both parties (together, the \"Services\"). "
             f"Each Statement of Work shall describe the Services, the Deliverables, the project "
             f"schedule and the applicable Fees, and is incorporated into this Agreement by reference. "
             f"In the event of a conflict between this Agreement and a Statement of Work, this "
             f"Agreement shall control unless the Statement of Work expressly identifies the provision "
             f"of this Agreement that it supersedes.", key="services"),
        Unit("Standard of Performance", f"{S} shall perform the Services diligently, in a timely, "
             f"professional and workmanlike manner, in accordance with generally accepted industry "
             f"standards and Applicable Law, and using personnel with the skill, training and "
             f"experience needed to perform their assigned tasks."),
        None if not s.verbosity else Unit(
            "Personnel", f"{S} shall assign to the Services the individuals identified as key "
             f"personnel in a Statement of Work and shall not remove or replace any of them without "
             f"{C}'s prior written consent, except in the case of illness, disability, death, "
             f"resignation or termination of employment. {C} may request the removal of any {S} "
             f"personnel on reasonable grounds, and {S} shall promptly provide a qualified "
             f"replacement at no additional charge."),
        None if not s.verbosity else Unit(
            "Subcontractors", f"{S} shall not subcontract any part of the Services without {C}'s "
             f"prior written consent. {S} remains responsible for the acts and omissions of its "
             f"subcontractors as if they were its own and shall ensure that each subcontractor is bound "
             f"by written obligations at least as protective of {C} as those in this Agreement."),
        Unit("Acceptance", f"{C} shall review each Deliverable within ten (10) Business Days after "
             f"delivery and shall either accept it or notify {S} in writing of any failure to conform "
             f"to the applicable Statement of Work. {S} shall correct any such nonconformity and "
             f"redeliver the Deliverable within ten (10) Business Days, after which the acceptance "
             f"procedure shall be repeated."),
    ]
    units = _present(drafts)
    if s.verbosity >= 1:
        units.append(Unit("Change Orders", f"Either party may request a change to the scope of the "
                          f"Services. {S} shall respond to each change request within five (5) "
                          f"Business Days with a written proposal describing the effect of the change "
                          f"on the schedule, the Deliverables and the Fees. No change is binding "
                          f"unless it is documented in a Change Order signed by both parties."))
        units.append(Unit(f"{C} Responsibilities", f"{C} shall provide {S} with timely access to the "
                          f"facilities, systems, information and personnel reasonably required for "
                          f"the performance of the Services, as described in the applicable "
                          f"Statement of Work. {S} is excused from any delay to the extent caused by "
                          f"{C}'s failure to perform those responsibilities, provided {S} promptly "
                          f"notifies {C} of the failure."))
    return units


def _saas_core(s: Spec, r: Random) -> list[Unit]:
    S, C = s.S, s.C
    ntl = "Non-Transferable License" in s.extras
    aff = "Affiliate License-Licensee" in s.extras
    words = ["non-exclusive"]
    if ntl:
        words.append("non-transferable")
    words.append("non-sublicensable" if ntl else "worldwide")
    grantee = f"{C} and its Affiliates" if aff else C
    cats = ["License Grant"] + (["Non-Transferable License"] if ntl else []) + (
        ["Affiliate License-Licensee"] if aff else [])
    drafts: list[Unit | None] = [
        Unit("Provision of Subscription Services", f"{S} shall make {s.offer} (the \"Subscription "
             f"Services\") available to {C} during the Term in accordance with this Agreement, the "
             f"Documentation and each Order Form.", key="services"),
        Unit("Access Rights", f"Subject to the terms and conditions of this Agreement, {S} hereby "
             f"grants to {grantee} a {', '.join(words)} right during the Term to access and use the "
             f"Subscription Services, and to permit Users to do so, solely for "
             f"{'their' if aff else C + chr(39) + 's'} internal business purposes.",
             cats=tuple(cats), key="license_grant"),
        Unit("Restrictions", f"{C} shall not, and shall not permit any User or third party to:",
             children=_items([
                 "copy, modify, translate or create derivative works of the Subscription Services or "
                 "the Documentation;",
                 "reverse engineer, decompile or disassemble any part of the Subscription Services, "
                 "except to the extent that Applicable Law expressly permits despite this limitation;",
                 "sell, resell, rent, lease or otherwise make the Subscription Services available to "
                 "any third party, other than Users;",
                 "use the Subscription Services to store or transmit malicious code or material that "
                 "infringes the rights of any third party; or",
                 "access the Subscription Services in order to build a competing product or service.",
             ])),
        None if not s.verbosity else Unit(
            "Users", f"{C} is responsible for all activities that occur under its User accounts and "
             f"shall ensure that each User keeps his or her login credentials confidential. {C} shall "
             f"notify {S} promptly after becoming aware of any unauthorized use of an account."),
        Unit("Support", f"{S} shall provide {C} with technical support for the Subscription Services "
             f"by telephone, e-mail and web portal during Business Hours, and shall use commercially "
             f"reasonable efforts to respond to and resolve support requests in accordance with "
             f"{S}'s standard support policies.", key="support"),
    ]
    units = _present(drafts)
    if "Volume Restriction" in s.extras:
        units.append(Unit("Usage Limits", f"The Subscription Services are subject to the usage limits "
                          f"specified in the Order Form, including the number of Users and the volume "
                          f"of data stored. If {C}'s usage exceeds any such limit, {S} may invoice "
                          f"{C} for the excess usage at {S}'s then-current list rates, prorated for "
                          f"the remainder of the then-current Contract Year.",
                          cats=("Volume Restriction",)))
    units.append(Unit("Customer Data", f"As between the parties, {C} owns all right, title and "
                      f"interest in and to the Customer Data. {C} grants {S} a limited, non-exclusive "
                      f"license to host, copy, process and transmit the Customer Data solely as "
                      f"necessary to provide the Subscription Services to {C}.",
                      cats=("License Grant",)))
    if s.verbosity >= 1:
        units.append(Unit("Updates", f"{S} may update the Subscription Services from time to time, "
                          f"provided that no update materially reduces the functionality or security "
                          f"of the Subscription Services as described in the Documentation."))
    if "Source Code Escrow" in s.extras:
        units.append(_escrow(s))
    return units


def _escrow(s: Spec) -> Unit:
    S, C = s.S, s.C
    return Unit("Source Code Escrow", f"Within thirty (30) days after the Effective Date, {S} shall "
                f"deposit the source code of the "
                f"{'Software' if s.contract_type == 'license' else 'Subscription Services'}, "
                f"together with build instructions and related documentation, with an independent "
                f"escrow agent reasonably acceptable to {C}, and shall update the deposit with each "
                f"major release. The deposit shall be released to {C} if {S} becomes insolvent, ceases "
                f"to do business in the ordinary course, or fails to provide support as required by "
                f"this Agreement and does not cure that failure within thirty (30) days after notice.",
                cats=("Source Code Escrow",))


def _supply_core(s: Spec, r: Random) -> list[Unit]:
    S, C = s.S, s.C
    units = [
        Unit("Purchase and Sale", f"{S} shall manufacture and sell to {C}, and {C} may purchase from "
             f"{S}, {s.the_offer} described in Exhibit A (the \"Products\"), in the quantities that "
             f"{C} orders from time to time under Purchase Orders issued in accordance with this "
             f"Agreement.", key="services"),
    ]
    if s.exclusivity:
        units.append(Unit("Requirements", f"During the Term, {C} shall purchase from {S} one hundred "
                          f"percent (100%) of {C}'s requirements for the Products and for any products "
                          f"that are substantially similar to the Products, and shall not purchase such "
                          f"products from any other supplier, except as permitted by this Section.",
                          cats=("Exclusivity",)))
    units += [
        Unit("Forecasts", f"On or before the first Business Day of each calendar month, {C} shall "
             f"provide {S} with a Forecast. Only the first {_pick(r, 'two (2)', 'three (3)')} months "
             f"of each Forecast are binding; the remainder is provided for planning purposes only.",
             key="forecasts"),
        Unit("Purchase Orders", f"Each Purchase Order shall specify the Products, quantities, prices, "
             f"requested delivery dates and delivery location. {S} shall accept or reject each "
             f"Purchase Order in writing within five (5) Business Days after receipt; a Purchase Order "
             f"not rejected within that period is deemed accepted. Any terms in a Purchase Order or "
             f"acknowledgment that conflict with or add to this Agreement are void."),
        Unit("Delivery", f"{S} shall deliver the Products "
             f"{_pick(r, f'FCA {S}' + chr(39) + 's facility', f'DAP {C}' + chr(39) + 's designated facility')} "
             f"(Incoterms 2020) on the delivery dates stated in the accepted Purchase Order. {S} shall "
             f"notify {C} immediately if it anticipates any delay, stating the reasons and the "
             f"expected delivery date."),
        Unit("Title and Risk of Loss", f"Title to and risk of loss of the Products pass to {C} upon "
             f"delivery in accordance with the applicable Incoterm."),
        Unit("Inspection and Acceptance", f"{C} may inspect the Products within thirty (30) days after "
             f"delivery and reject any Products that do not conform to the Specifications. {S} shall, "
             f"at {C}'s option, promptly repair or replace rejected Products or credit their price, "
             f"and shall bear the cost of returning them."),
    ]
    if "Volume Restriction" in s.extras:
        units.append(Unit("Capacity", f"{S} is not obliged to supply, in any calendar quarter, "
                          f"quantities of a Product exceeding one hundred twenty percent (120%) of the "
                          f"quantity shown for that quarter in the most recent binding Forecast. "
                          f"Orders above that threshold require {S}'s written consent and may be "
                          f"subject to an expedite charge.", cats=("Volume Restriction",)))
    if "Minimum Commitment" in s.extras:
        units.append(_minimum(s, r))
    if "Liquidated Damages" in s.extras:
        units.append(Unit("Late Delivery", f"If {S} fails to deliver any Products by the confirmed "
                          f"delivery date for reasons not attributable to {C} or a Force Majeure "
                          f"Event, {S} shall pay {C}, as liquidated damages and not as a penalty, an "
                          f"amount equal to one percent (1%) of the price of the delayed Products for "
                          f"each full week of delay, up to a maximum of ten percent (10%) of that "
                          f"price. The parties agree that this amount is a reasonable estimate of "
                          f"{C}'s damages, which would be difficult to ascertain.",
                          cats=("Liquidated Damages",)))
    if s.verbosity >= 1:
        units.append(Unit("Product Changes", f"{S} shall not change the form, fit, function, "
                          f"materials, components or place of manufacture of any Product without "
                          f"{C}'s prior written approval, and shall give {C} at least ninety (90) days' "
                          f"notice of any proposed change."))
    if "Post-Termination Services" in s.extras:
        units.append(Unit("Discontinuation and Last-Time Buy", f"{S} shall give {C} at least twelve "
                          f"(12) months' written notice before discontinuing any Product and shall "
                          f"accept last-time buy orders placed during that period. Following "
                          f"expiration or termination of this Agreement for any reason other than "
                          f"{C}'s breach, {S} shall continue to supply spare parts for the Products "
                          f"for two (2) years at the prices then in effect.",
                          cats=("Post-Termination Services",)))
    if "Rofr/Rofo/Rofn" in s.extras:
        units.append(Unit("Right of First Negotiation", f"If {C} intends to source from a third party "
                          f"any new product that is a successor to or variant of a Product, {C} shall "
                          f"first notify {S} and negotiate exclusively and in good faith with {S} for "
                          f"thirty (30) days regarding the supply of that product before soliciting "
                          f"offers from any third party.", cats=("Rofr/Rofo/Rofn",)))
    return units


def _minimum(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    value = r.choice((250_000, 500_000, 750_000, 1_000_000, 2_000_000))
    what = "Products" if s.contract_type in ("supply", "distribution") else "licenses and services"
    return Unit(_pick(r, "Minimum Purchase Commitment", "Minimum Purchases"),
                f"During each Contract Year, {C} shall purchase {what} having an aggregate purchase "
                f"price of not less than {money_words(value)} (the \"Minimum Commitment\"). If {C}'s "
                f"purchases in a Contract Year fall short of the Minimum Commitment, {S} may, as its "
                f"sole remedy, invoice {C} for the shortfall or, in the case of a shortfall exceeding "
                f"twenty-five percent (25%), terminate this Agreement on sixty (60) days' notice.",
                cats=("Minimum Commitment",))


def _license_core(s: Spec, r: Random) -> list[Unit]:
    S, C = s.S, s.C
    ntl = "Non-Transferable License" in s.extras
    perp = "Irrevocable Or Perpetual License" in s.extras
    unlimited = "Unlimited/All-You-Can-Eat-License" in s.extras
    aff = "Affiliate License-Licensee" in s.extras
    royalty = "Revenue/Profit Sharing" in s.extras
    words = []
    if perp:
        words.append("perpetual, irrevocable (except as provided in [[ref:termination]])")
    words.append("non-exclusive")
    if ntl:
        words.append("non-transferable")
    grantee = f"{C} and its Affiliates" if aff else C
    if royalty:
        scope = (f"to use and reproduce the Software, to incorporate it into {C}'s products (the "
                 f"\"Licensed Products\"), and to distribute the Software in object code form solely "
                 f"as embedded in Licensed Products")
    elif unlimited:
        scope = (f"to install, use and reproduce the Software on an enterprise-wide basis for an "
                 f"unlimited number of Users and devices, solely for internal business operations")
    else:
        users = r.choice((50, 100, 250, 500))
        scope = (f"to install, use and reproduce the Software for up to {number_words(users)} "
                 f"({users}) named Users, solely for internal business operations")
    cats = ["License Grant"]
    cats += ["Non-Transferable License"] if ntl else []
    cats += ["Irrevocable Or Perpetual License"] if perp else []
    cats += ["Unlimited/All-You-Can-Eat-License"] if unlimited and not royalty else []
    cats += ["Affiliate License-Licensee"] if aff else []
    units = [
        Unit("License Grant", f"Subject to the terms and conditions of this Agreement, {S} hereby "
             f"grants to {grantee} a {', '.join(words)} license {scope}.", cats=tuple(cats),
             key="license_grant"),
    ]
    if "Affiliate License-Licensor" in s.extras:
        units.append(Unit("Affiliate Rights", f"The license granted in [[ref:license_grant]] includes "
                          f"a license under all Intellectual Property Rights in the Software owned or "
                          f"controlled by {S}'s Affiliates, and {S} shall cause its Affiliates to grant "
                          f"such rights.", cats=("Affiliate License-Licensor",)))
    units += [
        Unit("Restrictions", f"Except as expressly permitted by this Agreement, {C} shall not (a) "
             f"modify, translate or create derivative works of the Software; (b) reverse engineer, "
             f"decompile or disassemble the Software, except as permitted by Applicable Law; (c) "
             f"remove any proprietary notices from the Software; or (d) use the Software to provide "
             f"service bureau, time-sharing or hosting services to third parties."),
        Unit("Delivery", f"{S} shall deliver the Software and the Documentation to {C} by electronic "
             f"download within five (5) Business Days after the Effective Date. The Software is "
             f"deemed accepted upon delivery unless it fails to install in accordance with the "
             f"Documentation."),
        Unit("Maintenance and Support", f"During the Term, and subject to payment of the annual "
             f"maintenance fees, {S} shall provide {C} with all Updates and with telephone and e-mail "
             f"support during Business Hours, and shall use commercially reasonable efforts to correct "
             f"reproducible Defects reported by {C}.", key="support"),
    ]
    if royalty:
        rate = r.choice((4, 5, 6, 8, 10, 12))
        units.append(Unit("Royalties", f"In consideration of the license granted in "
                          f"[[ref:license_grant]], {C} shall pay {S} a royalty equal to "
                          f"{percent(rate)} of the Net Revenue received by {C} from sales of Licensed "
                          f"Products. \"Net Revenue\" means gross amounts invoiced, less returns, "
                          f"credits, freight and Taxes. {C} shall deliver a royalty report and payment "
                          f"within thirty (30) days after the end of each calendar quarter.",
                          cats=("Revenue/Profit Sharing",)))
    if "Minimum Commitment" in s.extras:
        units.append(_minimum(s, r))
    if "Source Code Escrow" in s.extras:
        units.append(_escrow(s))
    if "Covenant Not To Sue" in s.extras:
        units.append(Unit("No Challenge", f"{C} shall not, directly or indirectly, contest or challenge "
                          f"the validity, enforceability or ownership of {S}'s Intellectual Property "
                          f"Rights in the Software, or assist any third party in doing so.",
                          cats=("Covenant Not To Sue",)))
    return units


def _distribution_core(s: Spec, r: Random) -> list[Unit]:
    S, C = s.S, s.C
    kind = "exclusive" if s.exclusivity else "non-exclusive"
    appoint = (f"{S} hereby appoints {C} as its {kind} distributor of {s.the_offer} described in "
               f"Exhibit A (the \"Products\") in the Territory, and {C} accepts that appointment.")
    if s.exclusivity:
        appoint += (f" During the Term, {S} shall not appoint any other distributor, agent or "
                    f"reseller for the Products in the Territory and shall not sell the Products "
                    f"directly to customers located in the Territory.")
    units = [Unit("Appointment", appoint, cats=("Exclusivity",) if s.exclusivity else (),
                  key="services")]
    if "License Grant" in s.extras:
        ntl = "Non-Transferable License" in s.extras
        units.append(Unit("Trademark License", f"{S} grants to {C} a non-exclusive, "
                          f"{'non-transferable, ' if ntl else ''}royalty-free license during the Term "
                          f"to use the Trademarks in the Territory solely to advertise, promote and "
                          f"sell the Products, in accordance with {S}'s trademark usage guidelines. "
                          f"All goodwill arising from that use inures to {S}.",
                          cats=("License Grant",) + (("Non-Transferable License",) if ntl else ())))
    if s.non_compete:
        tail = _pick(r, "", " and for twelve (12) months thereafter")
        units.append(Unit("Non-Competition", f"During the Term{tail}, {C} shall not, directly or "
                          f"indirectly, manufacture, distribute, market or sell in the Territory any "
                          f"product that competes with the Products.", cats=("Non-Compete",),
                          key="noncompete"))
    if "Competitive Restriction Exception" in s.extras:
        target = "[[ref:noncompete]]" if s.non_compete else "[[ref:services]]"
        units.append(Unit("Existing Product Lines", f"Notwithstanding {target}, {C} may continue to "
                          f"distribute the product lines that it distributed as of the Effective Date "
                          f"and identified to {S} in writing before that date, and may sell "
                          f"replacement parts for such product lines.",
                          cats=("Competitive Restriction Exception",)))
    units += [
        Unit(f"{C} Obligations", f"{C} shall use commercially reasonable efforts to promote and sell "
             f"the Products throughout the Territory; maintain a trained sales and technical support "
             f"staff; keep an inventory of Products sufficient to meet customer demand; and comply "
             f"with all Applicable Law in marketing and selling the Products."),
        Unit("Orders", f"{C} shall purchase Products by issuing Purchase Orders to {S}. Each Purchase "
             f"Order is subject to acceptance by {S}, which shall not be unreasonably withheld. {S} "
             f"shall deliver accepted orders FCA {S}'s warehouse (Incoterms 2020)."),
        Unit("Resale Prices", f"{C} is free to determine the prices at which it resells the Products "
             f"to its customers."),
    ]
    if "Minimum Commitment" in s.extras:
        units.append(_minimum(s, r))
    if "No-Solicit Of Customers" in s.extras:
        units.append(Unit("Customer Non-Solicitation", f"During the Term, {S} shall not, directly or "
                          f"indirectly, solicit orders for the Products from any customer located in "
                          f"the Territory that {C} has identified to {S} in writing as its customer, "
                          f"other than through {C}.", cats=("No-Solicit Of Customers",)))
    if "Rofr/Rofo/Rofn" in s.extras:
        units.append(Unit("New Products", f"If {S} intends to appoint a distributor in the Territory "
                          f"for any new product that it develops or acquires during the Term, {S} "
                          f"shall first offer {C} the right to distribute that product and shall "
                          f"negotiate in good faith with {C} for thirty (30) days before offering such "
                          f"rights to any third party.", cats=("Rofr/Rofo/Rofn",)))
    if "Revenue/Profit Sharing" in s.extras:
        units.append(Unit("Commission on Direct Sales", f"For any sale of Products made by {S} "
                          f"directly to a customer in the Territory, {S} shall pay {C} a commission of "
                          f"ten percent (10%) of the net amount invoiced, within thirty (30) days after "
                          f"the end of the calendar quarter in which {S} receives payment.",
                          cats=("Revenue/Profit Sharing",)))
    units.append(Unit("Reports", f"Within fifteen (15) days after the end of each calendar month, {C} "
                      f"shall provide {S} with a report of its sales of Products, by product and by "
                      f"customer, and its inventory of Products at the end of that month."))
    return units


CORE = {"services": ("Services", _services_core), "saas": ("Subscription Services", _saas_core),
        "supply": ("Supply of Products", _supply_core), "license": ("License", _license_core),
        "distribution": ("Appointment and Distribution", _distribution_core)}


# --------------------------------------------------------------------------- commercial


def service_levels_article(s: Spec, r: Random) -> Unit | None:
    if s.uptime_pct is None:
        return None
    S, C = s.S, s.C
    what = "Subscription Services" if s.contract_type == "saas" else "Services"
    uptime = f"{s.uptime_pct:g}%"
    avail = _pick(r,
                  f"{S} shall make the {what} available at least {uptime} of the time in each calendar "
                  f"month, excluding scheduled maintenance notified at least forty-eight (48) hours in "
                  f"advance and downtime caused by a Force Majeure Event (the \"Availability "
                  f"Commitment\").",
                  f"{S} warrants that the {what} will achieve a monthly availability of not less than "
                  f"{uptime}, measured as the total minutes in the month less the minutes of "
                  f"unscheduled downtime, divided by the total minutes in the month (the "
                  f"\"Availability Commitment\").")
    units = [Unit("Availability", avail, cats=("Service Levels",), key="availability")]
    units.append(Unit("Support Response Times", f"{S} shall respond to Severity 1 incidents (complete "
                      f"loss of a critical function) within one (1) hour, Severity 2 incidents within "
                      f"four (4) hours and Severity 3 incidents within one (1) Business Day, and shall "
                      f"work continuously to restore service for Severity 1 incidents.",
                      cats=("Service Levels",)))
    if s.service_credits:
        credit = r.choice((5, 10))
        cap = r.choice((25, 30, 50))
        units.append(Unit("Service Credits", f"If {S} fails to meet the Availability Commitment in "
                          f"any calendar month, {C} shall be entitled to a service credit equal to "
                          f"{percent(credit)} of the monthly Fees for the affected {what} for each "
                          f"one percent (1%), or part of it, by which availability falls below the "
                          f"Availability Commitment, up to a maximum of {percent(cap)} of those monthly "
                          f"Fees. {S} shall apply service credits against the next invoice.",
                          cats=("Service Credits",)))
        if r.random() < 0.5:
            units.append(Unit("Chronic Failure", f"If {S} fails to meet the Availability Commitment "
                              f"in any three (3) months within a rolling twelve (12) month period, {C} "
                              f"may terminate this Agreement on written notice without liability for "
                              f"any early termination charge.", cats=("Service Levels",)))
    units.append(Unit("Reporting", f"{S} shall provide {C} with a monthly report showing its "
                      f"performance against the Availability Commitment and the support response "
                      f"times."))
    return Unit("Service Levels", "", children=units)


def _payment_unit(s: Spec, r: Random) -> Unit | None:
    if s.payment_days is None:
        return None
    S, C, n = s.S, s.C, s.payment_days
    text = _pick(r,
                 f"{S} shall invoice {C} monthly in arrears. {C} shall pay each undisputed invoice "
                 f"within {_days(n)} after its receipt of the invoice.",
                 f"All Fees are invoiced "
                 f"{_pick(r, 'annually in advance', 'quarterly in advance', 'monthly')} "
                 f"and are payable net {_days(n)} from the date of invoice.",
                 f"Payment terms are net {_days(n)} from {C}'s receipt of a correct and undisputed "
                 f"invoice. Each invoice shall reference the applicable "
                 f"{'Purchase Order' if s.contract_type in ('supply', 'distribution') else 'Order Form'} "
                 f"and include reasonable supporting detail.")
    return Unit("Invoicing and Payment", text, cats=("Payment Terms",), key="payment")


def _price_unit(s: Spec, r: Random) -> Unit | None:
    cap = s.price_increase_cap
    if cap is None:
        return None
    S, C = s.S, s.C
    if cap["type"] == "percent":
        limit = _pick(r, f"no such increase shall exceed {percent(cap['value'])} of the Fees in effect "
                         f"during the preceding Contract Year",
                      f"the increase shall not be more than {percent(cap['value'])} over the Fees "
                      f"then in effect")
    else:
        limit = _pick(r, "no such increase shall exceed the percentage increase in the Consumer Price "
                         "Index for All Urban Consumers (CPI-U), as published by the U.S. Bureau of "
                         "Labor Statistics, for the most recent twelve (12) month period",
                      "any such increase shall be limited to the change in the Consumer Price Index "
                      "(CPI-U, U.S. city average) over the preceding twelve (12) months")
    text = (f"{S} may increase the Fees not more than once in any Contract Year, effective on an "
            f"anniversary of the Effective Date, by giving {C} at least sixty (60) days' prior written "
            f"notice; provided that {limit}.")
    if s.initial_term_months and r.random() < 0.5:
        text = f"The Fees are fixed during the first Contract Year. Thereafter, {text}"
    return Unit("Price Adjustments", text, cats=("Price Adjustment", "Price Restrictions"))


def fees_article(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    t = s.contract_type
    where = {"saas": "each Order Form", "services": "each Statement of Work",
             "license": "Exhibit A", "supply": "Exhibit A", "distribution": "Exhibit A"}[t]
    things = {"supply": "Products", "distribution": "Products", "license": "Software"}.get(t, "Services")
    units = [Unit("Fees", f"In consideration of the {things} "
                  f"provided under this Agreement, {C} shall pay {S} the Fees set forth in {where}. "
                  f"Except as expressly provided in this Agreement, all Fees are non-refundable and "
                  f"are stated and payable in United States dollars.", key="fees")]
    pay = _payment_unit(s, r)
    if pay:
        units.append(pay)
    units.append(Unit("Late Payment", f"Any undisputed amount not paid when due shall accrue interest "
                      f"at the lesser of one percent (1%) per month and the maximum rate permitted by "
                      f"Applicable Law, from the due date until the date of payment."))
    if s.verbosity:
        units.append(Unit("Disputed Amounts", f"{C} may withhold any amount that it disputes in good "
                      f"faith, provided it notifies {S} of the dispute in writing, with reasonable "
                      f"detail, before the payment due date. The parties shall work together in good "
                      f"faith to resolve any such dispute promptly."))
    units.append(Unit("Taxes", f"The Fees exclude Taxes. {C} shall pay all Taxes imposed on the "
                      f"transactions under this Agreement, other than Taxes on {S}'s income, property "
                      f"or employees. If {C} is required by law to withhold any Taxes, it shall gross up "
                      f"its payment so that {S} receives the amount it would have received without the "
                      f"withholding."))
    if t == "services" and s.verbosity >= 1:
        units.append(Unit("Expenses", f"{C} shall reimburse {S} for reasonable, pre-approved travel "
                          f"and out-of-pocket expenses incurred in performing the Services, in "
                          f"accordance with {C}'s travel and expense policy, upon presentation of "
                          f"receipts."))
    price = _price_unit(s, r)
    if price:
        units.append(price)
    if "Most Favored Nation" in s.extras:
        units.append(Unit("Most Favored Customer", f"{S} represents that the prices charged to {C} "
                          f"under this Agreement are no less favorable than the prices {S} charges any "
                          f"other customer for comparable volumes of comparable "
                          f"{'Products' if t in ('supply', 'distribution') else 'services'}. If {S} "
                          f"offers more favorable prices to any such customer during the Term, {S} "
                          f"shall promptly offer those prices to {C}, effective from the date they "
                          f"were first offered to the other customer.",
                          cats=("Most Favored Nation", "Price Restrictions")))
    if s.review_renegotiation and s.governance is None:
        units.append(_review(s, r))
    return Unit("Fees and Payment", "", key="fees_article", children=units)


def _review(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    return Unit(_pick(r, "Annual Review", "Commercial Review"), _pick(
        r,
        f"No later than ninety (90) days before each anniversary of the Effective Date, the parties "
        f"shall meet to review the Fees, the scope of the "
        f"{'Products' if s.contract_type in ('supply', 'distribution') else 'Services'} and the "
        f"performance of this Agreement, and shall negotiate in good faith any adjustments that "
        f"either party reasonably proposes in light of changes in volumes, technology or market "
        f"conditions.",
        f"Either party may, once in each Contract Year, request a review of the pricing and "
        f"commercial terms of this Agreement. Upon such request, the parties shall meet within thirty "
        f"(30) days and renegotiate in good faith the terms identified in the request; any agreed "
        f"changes shall be documented in a written amendment."),
        cats=("Review And Renegotiation",))


def governance_article(s: Spec, r: Random) -> Unit | None:
    if s.governance is None:
        return None
    S, C = s.S, s.C
    units = [Unit("Relationship Managers", f"Each party shall appoint a relationship manager who "
                  f"shall be its primary point of contact for the day-to-day management of this "
                  f"Agreement. Either party may replace its relationship manager on written notice to "
                  f"the other party.")]
    if s.governance == "quarterly":
        meet = _pick(r,
                     f"The parties shall hold a business review meeting at least once each calendar "
                     f"quarter (each, a \"Quarterly Business Review\") to review {S}'s performance, "
                     f"forecasted demand, open issues, planned changes and opportunities for "
                     f"improvement.",
                     f"Senior representatives of {S} and {C} shall meet quarterly to review the "
                     f"performance of this Agreement, including service levels, invoicing, open "
                     f"risks and the roadmap for the following quarter.")
    else:
        meet = (f"The relationship managers shall meet monthly, in person or by video conference, to "
                f"review operational performance, open issues and upcoming requirements, and shall "
                f"record agreed actions in written minutes.")
    units.append(Unit("Governance Meetings", meet, cats=("Governance",)))
    if s.verbosity >= 1:
        units.append(Unit("Steering Committee", f"The parties shall establish a steering committee "
                          f"composed of two (2) senior executives of each party, which shall meet at "
                          f"least twice each Contract Year to oversee the strategic direction of the "
                          f"relationship.", cats=("Governance",)))
    if s.review_renegotiation:
        units.append(_review(s, r))
    return Unit("Governance", "", children=units)


# --------------------------------------------------------------------------- standard articles


def confidentiality_article(s: Spec, r: Random) -> Unit:
    years = r.choice((2, 3, 5))
    drafts: list[Unit | None] = [
        Unit("Definition", "\"Confidential Information\" means all non-public information disclosed by "
             "or on behalf of a party (the \"Discloser\") to the other party (the \"Recipient\") in "
             "connection with this Agreement, whether orally, in writing or by inspection, that is "
             "marked or identified as confidential or that a reasonable person would understand to be "
             "confidential given its nature and the circumstances of disclosure, including the terms "
             "of this Agreement."),
        Unit("Obligations", "The Recipient shall (a) use the Discloser's Confidential Information "
             "only to exercise its rights and perform its obligations under this Agreement; (b) not "
             "disclose it to any third party other than its Representatives who need to know it and "
             "are bound by confidentiality obligations no less protective than those in this Article; "
             "and (c) protect it using at least the degree of care it uses to protect its own "
             "confidential information of a similar nature, and no less than reasonable care."),
        None if not s.verbosity else Unit(
            "Exclusions", "Confidential Information does not include information that (a) is or "
             "becomes publicly available through no fault of the Recipient; (b) was known to the "
             "Recipient without restriction before receipt from the Discloser; (c) is received by the "
             "Recipient from a third party without breach of any obligation owed to the Discloser; or "
             "(d) is independently developed by the Recipient without use of the Discloser's "
             "Confidential Information."),
        None if not s.verbosity else Unit(
            "Compelled Disclosure", "The Recipient may disclose Confidential Information to the "
             "extent required by law or court order, provided that it gives the Discloser prompt "
             "prior notice (where legally permitted) and reasonable assistance in seeking a protective "
             "order, and discloses only the portion legally required."),
    ]
    units = _present(drafts)
    if s.verbosity >= 1:
        units.append(Unit("Return or Destruction", "Upon the Discloser's written request, and in any "
                          "event upon expiration or termination of this Agreement, the Recipient shall "
                          "promptly return or destroy the Discloser's Confidential Information and "
                          "certify in writing that it has done so, except for copies retained in "
                          "automatic backup systems or as required by law, which remain subject to "
                          "this Article."))
    units.append(Unit("Duration", f"The obligations in this Article continue during the Term and for "
                      f"{count(years, 'year')} after its expiration or termination, except that "
                      f"obligations regarding trade secrets continue for as long as the information "
                      f"remains a trade secret under Applicable Law."))
    return Unit("Confidentiality", "", key="confidentiality", children=units)


def data_protection_article(s: Spec, r: Random) -> Unit | None:
    if not s.data_protection:
        return None
    S, C = s.S, s.C
    cat = ("Data Protection",)
    units = [
        Unit("Compliance with Data Protection Laws", f"Each party shall comply with all data "
             f"protection and privacy laws that apply to its processing of Personal Data under this "
             f"Agreement. To the extent {S} processes Personal Data on behalf of {C}, {S} shall do so "
             f"only on {C}'s documented instructions and solely to perform its obligations under this "
             f"Agreement.", cats=cat, key="data_protection"),
        Unit("Security Measures", f"{S} shall implement and maintain appropriate technical and "
             f"organizational measures to protect Personal Data and {C}'s Confidential Information "
             f"against accidental or unlawful destruction, loss, alteration and unauthorized "
             f"disclosure or access, including encryption of data in transit and at rest, access "
             f"controls based on least privilege, and regular vulnerability testing.", cats=cat),
    ]
    if s.breach_notice_hours is not None:
        h = s.breach_notice_hours
        notice = _pick(r,
                       f"{S} shall notify {C} in writing without undue delay, and in any event within "
                       f"{count(h, 'hour')}, after becoming aware of a Security Incident affecting "
                       f"{C}'s data, and shall provide all information reasonably requested by {C} "
                       f"regarding the Security Incident.",
                       f"In the event of a Security Incident, {S} shall (a) notify {C} no later than "
                       f"{count(h, 'hour')} after discovery; (b) take all reasonable steps to contain "
                       f"and remediate the Security Incident; and (c) cooperate with {C} in any "
                       f"notification to affected individuals or regulators.")
    else:
        notice = (f"{S} shall notify {C} promptly after becoming aware of a Security Incident "
                  f"affecting {C}'s data and shall cooperate with {C} in investigating and remediating "
                  f"it.")
    units.append(Unit("Security Incidents", notice, cats=cat))
    if s.contract_type in ("saas", "services"):
        units.append(Unit("Subprocessors", f"{S} may engage Subprocessors to process Personal Data, "
                          f"provided that it gives {C} at least thirty (30) days' notice of any new "
                          f"Subprocessor, imposes on each Subprocessor data protection obligations no "
                          f"less protective than those in this Article, and remains liable for each "
                          f"Subprocessor's performance.", cats=cat))
    if s.verbosity >= 1:
        units.append(Unit("International Transfers", f"{S} shall not transfer Personal Data outside "
                          f"the country in which it was collected unless the transfer complies with "
                          f"Applicable Law, including by means of standard contractual clauses "
                          f"approved by a competent authority where required.", cats=cat))
    return Unit("Data Protection", "", children=units)


def ip_article(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    t = s.contract_type
    units = [Unit("Pre-Existing Intellectual Property", f"Each party retains all right, title and "
                  f"interest in and to its Intellectual Property Rights existing before the Effective "
                  f"Date or developed independently of this Agreement. Except as expressly stated in "
                  f"this Agreement, nothing in it grants either party any right in the other party's "
                  f"Intellectual Property Rights.")]
    if s.ip_ownership_assignment:
        thing = "Work Product" if t == "services" else "all custom developments, configurations and " \
                "materials created by " + S + " specifically for " + C + " under this Agreement"
        units.append(Unit("Ownership of Work Product", f"{C} shall own all right, title and interest "
                          f"in and to the {thing}. {S} hereby irrevocably assigns, and shall cause its "
                          f"personnel and subcontractors to assign, to {C} all Intellectual Property "
                          f"Rights in the {thing if t == 'services' else 'foregoing'}, and shall "
                          f"execute any documents reasonably requested by {C} to perfect that "
                          f"assignment.", cats=("Ip Ownership Assignment",)))
    elif t == "services":
        units.append(Unit("Deliverables", f"{S} retains ownership of the Deliverables and all "
                          f"Intellectual Property Rights in them. Upon payment of the applicable Fees, "
                          f"{S} grants {C} a non-exclusive, perpetual, royalty-free license to use the "
                          f"Deliverables for {C}'s internal business purposes.",
                          cats=("License Grant", "Irrevocable Or Perpetual License")))
    if "Joint Ip Ownership" in s.extras:
        units.append(Unit("Jointly Developed Intellectual Property", "Any invention or work of "
                          "authorship conceived or created jointly by personnel of both parties in "
                          "the course of this Agreement shall be jointly owned by the parties, and "
                          "each party may exploit it without the consent of, or any duty to account "
                          "to, the other party.", cats=("Joint Ip Ownership",)))
    if s.verbosity:
        units.append(Unit("Feedback", f"If {C} provides suggestions or feedback regarding {S}'s products "
                      f"or services, {S} may use that feedback without restriction or obligation, "
                      f"provided that {S} does not identify {C} as its source."))
    if s.verbosity >= 1:
        units.append(Unit("Reservation of Rights", "All rights not expressly granted in this Agreement "
                          "are reserved. No implied licenses are granted under this Agreement, "
                          "whether by estoppel, implication or otherwise."))
    return Unit("Intellectual Property", "", children=units)


def warranties_article(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    t = s.contract_type
    what = {"services": "Services", "saas": "Subscription Services", "supply": "Products",
            "license": "Software", "distribution": "Products"}[t]
    units = [] if not s.verbosity else [Unit(
        "Mutual Warranties", "Each party represents and warrants that (a) it is duly "
                  "organized, validly existing and in good standing under the laws of its "
                  "jurisdiction of organization; (b) it has full power and authority to enter into and "
                  "perform this Agreement; and (c) its execution and performance of this Agreement do "
                  "not conflict with any other agreement to which it is a party.")]
    if s.warranty_months is not None:
        wm = s.warranty_months
        span = months_or_years(wm, prefer_months=r.random() < 0.5)
        start = {"services": "acceptance of each Deliverable", "saas": "the Effective Date",
                 "supply": "delivery to " + C, "license": "delivery of the Software",
                 "distribution": "delivery to " + C}[t]
        heading = {"Products": "Product", "Subscription Services": "Service", "Services": "Service",
                   "Software": "Software"}[what] + " Warranty"
        units.append(Unit(heading, _pick(
            r,
            f"{S} warrants that, for a period of {span} following {start} (the \"Warranty Period\"), "
            f"the {what} will conform in all material respects to the "
            f"{s.standard} "
            f"and will be free from material defects in materials and workmanship.",
            f"For {span} after {start}, {S} warrants that the {what} will perform substantially in "
            f"accordance with the "
            f"{s.standard} "
            f"(the \"Warranty Period\")."), cats=("Warranty Duration",), key="warranty"))
        verb = "fails" if what == "Software" else "fail"
        units.append(Unit("Warranty Remedies", f"If the {what} {verb} to conform to the warranty in "
                          f"[[ref:warranty]] during the Warranty Period, {S} shall, at its option and "
                          f"expense, repair or replace the nonconforming {what} or re-perform the "
                          f"nonconforming work, and if it cannot do so within a reasonable time, refund "
                          f"the Fees paid for them."))
    else:
        units.append(Unit(f"{S} Warranties", f"{S} represents and warrants that the {what} will be "
                          f"provided in a professional and workmanlike manner consistent with "
                          f"generally accepted industry standards and in compliance with Applicable "
                          f"Law."))
    units.append(Unit("Disclaimer", "EXCEPT AS EXPRESSLY SET FORTH IN THIS AGREEMENT, NEITHER PARTY "
                      "MAKES ANY WARRANTY OF ANY KIND, WHETHER EXPRESS, IMPLIED, STATUTORY OR "
                      "OTHERWISE, AND EACH PARTY SPECIFICALLY DISCLAIMS ALL IMPLIED WARRANTIES, "
                      "INCLUDING ANY WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE "
                      "AND NON-INFRINGEMENT, TO THE MAXIMUM EXTENT PERMITTED BY APPLICABLE LAW."))
    return Unit("Representations and Warranties", "", children=units)


def indemnification_article(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    t = s.contract_type
    what = {"services": "Services or Deliverables", "saas": "Subscription Services",
            "supply": "Products", "license": "Software", "distribution": "Products"}[t]
    drafts: list[Unit | None] = [
        Unit(f"Indemnification by {S}", f"{S} shall defend {C} and its Affiliates and their "
             f"respective officers, directors and employees against any claim, suit or proceeding "
             f"brought by a third party alleging that the {what}, as provided by {S}, infringe or "
             f"misappropriate that third party's Intellectual Property Rights, and shall indemnify "
             f"them against all Losses finally awarded or agreed in settlement of such a claim."),
        None if not s.verbosity else Unit(
            f"Indemnification by {C}", f"{C} shall defend {S} against any third-party claim arising "
             f"from {C}'s breach of Applicable Law in its use of the {what} or from "
             f"{'Customer Data' if t == 'saas' else 'materials provided by ' + C}, and shall indemnify "
             f"{S} against all Losses finally awarded or agreed in settlement of such a claim."),
        Unit("Procedure", "The indemnified party shall (a) promptly notify the indemnifying party in "
             "writing of the claim; (b) give the indemnifying party sole control of the defense and "
             "settlement of the claim, provided that no settlement may impose any obligation on the "
             "indemnified party without its consent; and (c) provide reasonable cooperation at the "
             "indemnifying party's expense."),
    ]
    units = _present(drafts)
    if s.verbosity >= 1:
        units.append(Unit("Mitigation", f"If the {what} become, or in {S}'s opinion are likely to "
                          f"become, the subject of an infringement claim, {S} may at its option "
                          f"procure the right for {C} to continue using them, modify them so that they "
                          f"are non-infringing without material loss of functionality, or, if neither "
                          f"is commercially reasonable, terminate the affected part of this Agreement "
                          f"and refund any prepaid Fees for it."))
    return Unit("Indemnification", "", key="indemnification", children=units)


def liability_article(s: Spec, r: Random) -> Unit | None:
    cap = s.liability_cap
    if cap is None:
        return None
    S, C = s.S, s.C
    upper = r.random() < 0.6
    excl = ("In no event shall either party be liable to the other party for any indirect, incidental, "
            "special, consequential, exemplary or punitive damages, or for any loss of profits, "
            "revenue, data or goodwill, arising out of or relating to this Agreement, even if advised "
            "of the possibility of such damages.")
    units = [Unit("Exclusion of Damages", excl.upper() if upper else excl)]
    if cap["type"] == "uncapped":
        units.append(Unit("No Cap", _pick(
            r,
            "Nothing in this Agreement limits the amount of either party's liability for damages "
            "arising out of or relating to this Agreement, and the parties agree that neither party's "
            "aggregate liability under this Agreement shall be subject to any monetary cap.",
            f"{S}'s liability for breach of this Agreement, for its indemnification obligations and "
            f"for its negligence shall be unlimited in amount."),
            cats=("Uncapped Liability",)))
    else:
        if cap["type"] == "amount":
            limit = money_words(cap["amount"])
        else:
            months = count(cap["months"], "month")
            mult = cap.get("multiple", 1)
            times = "" if mult == 1 else f"{number_words(mult)} ({mult}) times "
            limit = (f"{times}the total Fees paid or payable by {C} under this Agreement during the "
                     f"{months} immediately preceding the event giving rise to the claim")
        text = _pick(r,
                     f"Except for the Excluded Claims, each party's total aggregate liability arising "
                     f"out of or relating to this Agreement, whether in contract, tort or otherwise, "
                     f"shall not exceed {limit}.",
                     f"Except for the Excluded Claims, in no event shall either party's aggregate "
                     f"liability under this Agreement exceed {limit}.")
        if upper:
            text = text.upper()
        units.append(Unit("Limitation of Liability", text, cats=("Cap On Liability",), key="cap"))
        if s.cap_carveouts:
            units.append(Unit("Excluded Claims", "The exclusions and limitations in this Article do not "
                              "apply to (a) a party's indemnification obligations; (b) a party's breach "
                              "of [[ref:confidentiality]]; (c) a party's gross negligence, fraud or "
                              "willful misconduct; or (d) " + C + "'s obligation to pay Fees "
                              "(together, the \"Excluded Claims\"), for which liability is unlimited.",
                              cats=("Uncapped Liability",)))
        else:
            units.append(Unit("Excluded Claims", "\"Excluded Claims\" means liability that cannot be "
                              "limited or excluded under Applicable Law."))
    return Unit("Limitation of Liability", "", key="liability", children=units)


def insurance_article(s: Spec, r: Random) -> Unit | None:
    if s.insurance_min is None:
        return None
    S, C = s.S, s.C
    text = _pick(
        r,
        f"During the Term and for one (1) year thereafter, {S} shall maintain, at its own expense, "
        f"with insurers rated A- or better by A.M. Best, insurance of the following types, each with "
        f"limits of not less than {money_words(s.insurance_min)} per occurrence:",
        f"{S} shall procure and maintain throughout the Term the following insurance coverage, with "
        f"minimum limits of {money_words(s.insurance_min)} per claim or occurrence:")
    kinds = ["commercial general liability insurance, including products and completed operations;",
             "workers' compensation insurance as required by Applicable Law, and employer's "
             "liability insurance;"]
    if s.contract_type in ("services", "saas", "license"):
        kinds.append("professional liability (errors and omissions) insurance; and")
        kinds.append("cyber liability insurance covering network security and privacy claims.")
    else:
        kinds.append("product liability insurance; and")
        kinds.append("commercial automobile liability insurance.")
    units = [Unit("Required Coverage", text, cats=("Insurance",), children=_items(kinds)),
             Unit("Certificates", f"{S} shall name {C} as an additional insured on its commercial "
                  f"general liability policy and shall provide certificates of insurance to {C} upon "
                  f"request. {S} shall give {C} at least thirty (30) days' notice of any cancellation "
                  f"or material reduction in coverage.", cats=("Insurance",))]
    return Unit("Insurance", "", children=units)


def _term_units(s: Spec, r: Random) -> list[Unit]:
    S, C = s.S, s.C
    units: list[Unit] = []
    if s.initial_term_months is None:
        units.append(Unit("Term", f"This Agreement commences on the Effective Date and continues in "
                          f"effect until terminated by either party in accordance with this Article "
                          f"(the \"Term\").", cats=("Expiration Date",), key="term"))
        return units
    m = s.initial_term_months
    span = months_or_years(m, prefer_months=r.random() < 0.3)
    exp = us_date(s.expiration_date) if s.expiration_date else ""
    term = _pick(r,
                 f"This Agreement commences on the Effective Date and continues for an initial period "
                 f"of {span} (the \"Initial Term\"), unless terminated earlier in accordance with this "
                 f"Agreement.",
                 f"The initial term of this Agreement begins on the Effective Date and, unless "
                 f"terminated earlier as provided in this Agreement, ends on {exp} (the \"Initial "
                 f"Term\").",
                 f"Unless sooner terminated in accordance with its terms, this Agreement shall remain "
                 f"in full force and effect for a period of {span} from the Effective Date (the "
                 f"\"Initial Term\").")
    cats: tuple[str, ...] = ("Expiration Date",)
    if s.auto_renewal:
        assert s.renewal_term_months and s.notice_period_days
        ren = months_or_years(s.renewal_term_months)
        who = ("either party gives the other party" if s.renewal_notice_party == "either"
               else f"{s.renewal_notice_party} gives the other party")
        renewal = _pick(r,
                        f"Upon expiration of the Initial Term, this Agreement shall automatically renew "
                        f"for successive renewal periods of {ren} each (each, a \"Renewal Term\" and, "
                        f"together with the Initial Term, the \"Term\"), unless {who} written notice of "
                        f"non-renewal at least {_days(s.notice_period_days)} before the end of the "
                        f"then-current term.",
                        f"Thereafter, this Agreement will renew automatically for additional periods of "
                        f"{ren} (each, a \"Renewal Term\"; the Initial Term and all Renewal Terms "
                        f"together, the \"Term\") unless {who} notice of its intention not to renew no "
                        f"later than {_days(s.notice_period_days)} prior to the expiration of the "
                        f"then-current term.")
        rcats = ("Renewal Term", "Notice Period To Terminate Renewal")
        if r.random() < 0.5:
            units.append(Unit("Term", term + " " + renewal, cats=cats + rcats, key="term"))
        else:
            units.append(Unit("Initial Term", term, cats=cats, key="term"))
            units.append(Unit("Renewal", renewal, cats=rcats))
    else:
        tail = _pick(r,
                     " Thereafter, this Agreement may be renewed only by a written amendment signed by "
                     "both parties, and the Initial Term together with any such renewal is the "
                     "\"Term\".",
                     " This Agreement shall expire at the end of the Initial Term unless the parties "
                     "agree in writing to extend it (the Initial Term and any agreed extension, the "
                     "\"Term\").")
        units.append(Unit("Term", term + tail, cats=cats, key="term"))
    return units


def term_article(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    units = _term_units(s, r)
    tfc = s.termination_for_convenience
    if tfc is not None:
        party = "Either party" if tfc["party"] == "either" else tfc["party"]
        other = "the other party" if tfc["party"] == "either" else (C if tfc["party"] == S else S)
        n = tfc["notice_days"]
        text = _pick(r,
                     f"{party} may terminate this Agreement for convenience at any time upon "
                     f"{period(n, 'day')} prior written notice to {other}.",
                     f"{party} may terminate this Agreement, in whole or in part, without cause and "
                     f"without liability (other than for Fees accrued before the effective date of "
                     f"termination) by giving {other} not less than {period(n, 'day')} written notice.")
        units.append(Unit("Termination For Convenience", text, cats=("Termination For Convenience",)))
    cure = r.choice((15, 30, 30, 45))
    units.append(Unit("Termination for Cause", "Either party may terminate this Agreement by written "
                      "notice to the other party if:", key="termination_cause", children=_items([
                          f"the other party materially breaches this Agreement and fails to cure the "
                          f"breach within {_days(cure)} after receiving written notice describing it;",
                          "the other party becomes insolvent, makes a general assignment for the "
                          "benefit of creditors, or has a receiver, trustee or similar officer "
                          "appointed over any substantial part of its assets; or",
                          "the other party becomes the subject of any voluntary or involuntary "
                          "proceeding under any bankruptcy or insolvency law that is not dismissed "
                          "within sixty (60) days.",
                      ])))
    if s.change_of_control and r.random() < 0.6:
        units.append(Unit("Change Of Control", f"If {S} undergoes a change of control, whether by "
                          f"merger, sale of equity, sale of all or substantially all of its assets or "
                          f"otherwise, {S} shall notify {C} within thirty (30) days, and {C} may "
                          f"terminate this Agreement by written notice given within ninety (90) days "
                          f"after receiving that notice.", cats=("Change Of Control",), key="coc"))
        s.extras.add("_coc_in_term")
    effect = (f"Upon expiration or termination of this Agreement, (a) all rights and licenses granted "
              f"under it terminate, except as expressly stated otherwise; (b) {C} shall pay all Fees "
              f"accrued through the effective date of termination; and (c) each party shall return or "
              f"destroy the other party's Confidential Information in accordance with "
              f"[[ref:confidentiality]].")
    units.append(Unit("Effect of Termination", effect))
    if "Post-Termination Services" in s.extras and s.contract_type in ("services", "saas", "license"):
        days = r.choice((60, 90, 180))
        if s.contract_type == "saas":
            text = (f"For {_days(days)} after expiration or termination, {S} shall, upon {C}'s request, "
                    f"make the Customer Data available for export in a standard, machine-readable "
                    f"format and provide reasonable transition assistance at its then-current rates, "
                    f"after which {S} shall delete the Customer Data.")
        else:
            text = (f"Upon expiration or termination of this Agreement for any reason, {S} shall, at "
                    f"{C}'s request, continue to provide the "
                    f"{'Services' if s.contract_type == 'services' else 'Support Services'} and "
                    f"reasonable transition assistance for up to {_days(days)}, on the terms of this "
                    f"Agreement, to enable an orderly transition to {C} or its designated successor.")
        units.append(Unit("Transition Assistance", text, cats=("Post-Termination Services",)))
    if "Post-Termination Services" in s.extras and s.contract_type == "distribution":
        units.append(Unit("Sell-Off Period", f"Upon expiration or termination of this Agreement other "
                          f"than for {C}'s breach, {C} may continue to sell its remaining inventory of "
                          f"Products for six (6) months, and {S} shall, at {C}'s request, repurchase "
                          f"any unsold saleable Products at the price paid by {C}.",
                          cats=("Post-Termination Services",)))
    units.append(Unit("Survival", "Any provision of this Agreement that by its nature is intended to "
                      "survive expiration or termination, including those on confidentiality, "
                      "payment, indemnification, limitation of liability and governing law, survives "
                      "expiration or termination."))
    return Unit("Term and Termination", "", key="termination", children=units)


def audit_article(s: Spec, r: Random) -> Unit | None:
    if s.audit_rights is None:
        return None
    S, C = s.S, s.C
    auditor, audited = (S, C) if s.contract_type in ("license", "distribution") else (C, S)
    subject = ("its use of the Software and compliance with the license terms"
               if s.contract_type == "license" else
               "its sales of Products and amounts payable under this Agreement"
               if s.contract_type == "distribution" else
               "the Fees invoiced and its compliance with this Agreement")
    freq = {"annual": _pick(r, "not more than once in any twelve (12) month period",
                            "once per calendar year"),
            "semiannual": "not more than twice in any calendar year",
            "quarterly": "once per calendar quarter"}[s.audit_rights]
    units = [
        Unit("Records", f"{audited} shall keep complete and accurate books and records relating to "
             f"{subject} during the Term and for three (3) years thereafter."),
        Unit("Audit", f"{auditor}, or an independent auditor bound by confidentiality obligations, "
             f"may audit those books and records, upon at least thirty (30) days' prior written "
             f"notice, during normal business hours and {freq}. If an audit reveals an underpayment "
             f"or overcharge of more than five percent (5%) for the audited period, {audited} shall "
             f"reimburse the reasonable cost of the audit in addition to paying or crediting the "
             f"amount owed.", cats=("Audit Rights",)),
    ]
    return Unit(_pick(r, "Records and Audit", "Audit Rights"), "", children=units)


def covenants_article(s: Spec, r: Random) -> Unit | None:
    S, C = s.S, s.C
    units = []
    if "No-Solicit Of Employees" in s.extras:
        units.append(Unit("Non-Solicitation of Employees", "During the Term and for twelve (12) months "
                          "thereafter, neither party shall, directly or indirectly, solicit for "
                          "employment any employee of the other party who was involved in the "
                          "performance of this Agreement; provided that general solicitations not "
                          "targeted at such employees, and hiring in response to them, do not breach "
                          "this Section.", cats=("No-Solicit Of Employees",)))
    if s.non_compete and s.contract_type != "distribution":
        units.append(Unit("Non-Competition", f"During the Term and for six (6) months thereafter, {S} "
                          f"shall not provide services substantially similar to the "
                          f"{'Services' if s.contract_type in ('services', 'saas') else 'Products'} "
                          f"to any Competitor of {C} in {s.territory} without {C}'s prior written "
                          f"consent.", cats=("Non-Compete",)))
    if s.exclusivity and s.contract_type in ("services", "saas", "license"):
        units.append(Unit("Exclusivity", f"During the Term, {C} shall obtain the "
                          f"{'Services' if s.contract_type != 'license' else 'software of the type licensed'} "
                          f"exclusively from {S} and shall not engage any third party to provide "
                          f"products or services that are substantially similar.",
                          cats=("Exclusivity",)))
    if "Non-Disparagement" in s.extras:
        units.append(Unit("Non-Disparagement", "During the Term and for one (1) year thereafter, "
                          "neither party shall make any public statement that disparages the other "
                          "party or its products, services, officers or employees.",
                          cats=("Non-Disparagement",)))
    if not units:
        return None
    return Unit("Restrictive Covenants", "", children=units)


def disputes_article(s: Spec, r: Random) -> Unit:
    law = s.governing_law
    units: list[Unit] = []
    if s.dispute_escalation is not None:
        days = s.dispute_escalation["days"]
        first = {20: 5, 30: 10, 45: 15, 60: 20}[days]
        units.append(Unit("Escalation", f"Any dispute arising out of or relating to this Agreement "
                          f"shall first be referred to the parties' relationship managers. If they "
                          f"do not resolve the dispute within {_days(first)} after the referral, "
                          f"either party may escalate it to a senior executive of each party with "
                          f"authority to settle it. If the senior executives do not resolve the "
                          f"dispute within {_days(days)} after the initial referral, either party may "
                          f"pursue the remedies available under this Article. Nothing in this Section "
                          f"prevents a party from seeking urgent injunctive relief.",
                          cats=("Dispute Escalation",), key="escalation"))
    where = ("the laws of England and Wales" if law == "England and Wales" else
             "the laws of the Province of Ontario and the federal laws of Canada applicable therein"
             if law == "Ontario" else f"the laws of the State of {law}")
    gl = _pick(r,
               f"This Agreement shall be governed by and construed in accordance with {where}, without "
               f"regard to its conflict of laws principles.",
               f"This Agreement, and any claim or dispute arising out of or relating to it, is governed "
               f"by {where}, excluding its rules on conflicts of law. The United Nations Convention on "
               f"Contracts for the International Sale of Goods does not apply to this Agreement.")
    units.append(Unit("Governing Law", gl, cats=("Governing Law",), key="governing_law"))
    venue = VENUES[law]
    if r.random() < 0.7:
        units.append(Unit("Jurisdiction", f"Each party irrevocably submits to the exclusive "
                          f"jurisdiction of the state and federal courts located in {venue} for any "
                          f"action arising out of or relating to this Agreement, and waives any "
                          f"objection to venue in those courts."))
    else:
        units.append(Unit("Arbitration", f"Any dispute not resolved under this Article shall be "
                          f"finally settled by binding arbitration before a single arbitrator "
                          f"administered under the commercial arbitration rules of a recognized "
                          f"arbitral institution agreed by the parties. The seat of arbitration is "
                          f"{venue}, and judgment on the award may be entered in any court of "
                          f"competent jurisdiction."))
    if s.verbosity >= 1 and law not in ("England and Wales", "Ontario"):
        units.append(Unit("Waiver of Jury Trial", "EACH PARTY HEREBY WAIVES, TO THE FULLEST EXTENT "
                          "PERMITTED BY APPLICABLE LAW, ANY RIGHT IT MAY HAVE TO A TRIAL BY JURY IN "
                          "ANY PROCEEDING ARISING OUT OF OR RELATING TO THIS AGREEMENT."))
    if s.verbosity:
        units.append(Unit("Equitable Relief", "Each party acknowledges that a breach of its confidentiality "
                      "or intellectual property obligations may cause irreparable harm for which "
                      "damages would be an inadequate remedy, and that the other party may seek "
                      "injunctive relief without posting a bond, in addition to any other remedy."))
    return Unit("Dispute Resolution", "", children=units)


def general_article(s: Spec, r: Random) -> Unit:
    S, C = s.S, s.C
    units: list[Unit] = []
    if s.anti_assignment:
        base = _pick(r,
                     "Neither party may assign or transfer this Agreement, in whole or in part, by "
                     "operation of law or otherwise, without the prior written consent of the other "
                     "party, which shall not be unreasonably withheld.",
                     f"{S} shall not assign, delegate or otherwise transfer this Agreement or any of its "
                     f"rights or obligations under it without {C}'s prior written consent.")
        cats: tuple[str, ...] = ("Anti-Assignment",)
        if s.change_of_control and "_coc_in_term" not in s.extras:
            base += (" For purposes of this Section, any merger, consolidation or change of control "
                     "of a party, or a sale of all or substantially all of its assets, is deemed an "
                     "assignment requiring consent.")
            cats += ("Change Of Control",)
        base += " Any attempted assignment in violation of this Section is null and void."
        units.append(Unit("Assignment", base, cats=cats, key="assignment"))
    else:
        units.append(Unit("Successors and Assigns", "This Agreement binds and benefits the parties and "
                          "their respective successors and assigns."))
        if s.change_of_control and "_coc_in_term" not in s.extras:
            units.append(Unit("Change Of Control", f"{S} shall notify {C} in writing within thirty (30) "
                              f"days after any merger, acquisition or other change of control of {S}, "
                              f"and {C} may terminate this Agreement on sixty (60) days' notice given "
                              f"within six (6) months after receiving that notice.",
                              cats=("Change Of Control",)))
    units.append(Unit("Notices", f"All notices under this Agreement must be in writing and are "
                      f"effective when delivered by hand, one (1) Business Day after dispatch by "
                      f"recognized overnight courier, or when sent by e-mail with confirmation of "
                      f"transmission, to the addresses set forth below (or such other address as a party "
                      f"designates by notice): if to {S}, to {s.supplier.address}, Attention: General "
                      f"Counsel; and if to {C}, to {s.customer.address}, Attention: Legal Department.",
                      key="notices"))
    units.append(Unit("Force Majeure", "Neither party is liable for any failure or delay in performing "
                      "its obligations (other than payment obligations) to the extent caused by events "
                      "beyond its reasonable control, including acts of God, flood, fire, epidemic, "
                      "war, terrorism, civil unrest, labor disputes not involving its own workforce, "
                      "or failures of public utilities (each, a \"Force Majeure Event\"), provided "
                      "that it promptly notifies the other party and uses reasonable efforts to "
                      "mitigate the effects of the Force Majeure Event.", key="force_majeure"))
    if s.verbosity:
        units.append(Unit("Independent Contractors", "The parties are independent contractors. Nothing in "
                      "this Agreement creates a partnership, joint venture, agency or employment "
                      "relationship between them."))
    if "Third Party Beneficiary" in s.extras:
        units.append(Unit("Third-Party Beneficiaries", f"{C}'s Affiliates that receive the benefit of "
                          f"the {'Services' if s.contract_type in ('services', 'saas') else 'Products'} "
                          f"are intended third-party beneficiaries of this Agreement and may enforce "
                          f"its terms directly against {S}.", cats=("Third Party Beneficiary",)))
    elif s.verbosity:
        units.append(Unit("No Third-Party Beneficiaries", "This Agreement is for the sole benefit of "
                          "the parties and their permitted assigns, and nothing in it confers any "
                          "right or remedy on any other person."))
    if s.verbosity >= 1:
        units.append(Unit("Publicity", "Neither party shall issue any press release or public "
                          "announcement regarding this Agreement, or use the other party's name or "
                          "logo, without the other party's prior written consent."))
        units.append(Unit("Compliance with Laws", "Each party shall comply with all Applicable Law in "
                          "performing this Agreement, including anti-corruption, export control and "
                          "economic sanctions laws, and shall not offer or pay any bribe or improper "
                          "payment in connection with this Agreement."))
    units += [
        Unit("Entire Agreement", "This Agreement, including its exhibits and any "
             f"{s.orders}, "
             "constitutes the entire agreement between the parties regarding its subject matter and "
             "supersedes all prior and contemporaneous agreements, proposals and representations, "
             "written or oral."),
        Unit("Amendment and Waiver", "No amendment to this Agreement is effective unless in writing "
             "and signed by authorized representatives of both parties. No failure or delay in "
             "exercising any right operates as a waiver of it."),
    ]
    if s.verbosity:
        units += [
            Unit("Severability", "If any provision of this Agreement is held invalid or unenforceable, it "
             "shall be enforced to the maximum extent permissible and the remaining provisions shall "
             "remain in full force and effect."),
            Unit("Counterparts", "This Agreement may be executed in counterparts, each of which is an "
             "original and all of which together constitute one instrument. Signatures delivered by "
             "electronic means are deemed original signatures."),
        ]
    return Unit(_pick(r, "General Provisions", "Miscellaneous", "General"), "", children=units)


def articles(s: Spec, r: Random) -> list[Unit]:
    """The numbered body of the contract, in order."""
    core_name, core = CORE[s.contract_type]
    body: list[Unit | None] = [
        definitions_article(s, r),
        Unit(core_name, "", children=core(s, r), key="core"),
        service_levels_article(s, r),
        fees_article(s, r),
        governance_article(s, r),
        confidentiality_article(s, r),
        data_protection_article(s, r),
        ip_article(s, r),
        warranties_article(s, r),
        indemnification_article(s, r),
        liability_article(s, r),
        insurance_article(s, r),
    ]
    term = term_article(s, r)
    if r.random() < 0.35:
        body.insert(2, term)
    else:
        body.append(term)
    body += [audit_article(s, r), covenants_article(s, r), disputes_article(s, r),
             general_article(s, r)]
    s.extras.discard("_coc_in_term")
    return [u for u in body if u is not None]
