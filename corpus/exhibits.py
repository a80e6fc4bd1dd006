"""Exhibits and schedules: the plausible bulk that gives a demo contract its length.

Each builder spends a budget of words and returns an :class:`~corpus.layout.Exhibit`.
Exhibit text is drawn from templates with slots, so two contracts rarely share
a paragraph. Exhibits stay clear of the labelled categories, except the ones
that say so in ``cats`` (support response times are "Service Levels",
security requirements are "Data Protection").
"""

from __future__ import annotations

from random import Random

from corpus.clauses import Spec
from corpus.layout import Exhibit, Unit
from corpus.wording import count, number_words

__all__ = ["exhibits"]

DEPARTMENTS = ("finance", "operations", "supply chain", "information technology", "customer service",
               "procurement", "sales", "logistics", "compliance", "human resources", "marketing")
SYSTEMS = ("enterprise resource planning (ERP) system", "customer relationship management (CRM) platform",
           "warehouse management system", "enterprise data warehouse", "e-commerce platform",
           "point-of-sale system", "procurement portal", "document management system",
           "single sign-on identity provider", "transportation management system",
           "general ledger", "field service application")
WORKSTREAMS = ("Project Initiation and Planning", "Current-State Assessment", "Solution Design",
               "Data Integration", "Configuration and Build", "Reporting and Dashboards",
               "System Integration Testing", "User Acceptance Testing Support",
               "Training and Knowledge Transfer", "Deployment and Cutover", "Data Migration",
               "Security and Access Review", "Process Optimization", "Performance Tuning",
               "Operational Documentation", "Post-Deployment Stabilization")
ACTIVITIES = (
    "{S} will conduct working sessions with {C}'s {dept} team to confirm the objectives, scope and "
    "success criteria for the {ws} workstream.",
    "{S} will document the current configuration of {C}'s {system} and identify the interfaces, data "
    "flows and reports affected by the {ws} activities.",
    "{S} will prepare a detailed work plan for the {ws} workstream identifying tasks, owners, "
    "dependencies and target dates, and will update it weekly.",
    "{S} will configure the interface with the {system} in a non-production environment and walk "
    "{C}'s {dept} representatives through the configuration before it is promoted to production.",
    "{S} will validate the outputs of the {ws} activities against the acceptance criteria set out in "
    "this Statement of Work and record the results in the project repository.",
    "{S} will record open issues and risks in the shared project log and review them with {C}'s "
    "project manager at each weekly status meeting.",
    "{S} will provide {C} with a written summary of findings and recommendations at the end of the "
    "{ws} workstream, including any proposed changes to scope or schedule.",
    "{C}'s {dept} team will make subject-matter experts available for up to {n} hours per week during "
    "the {ws} workstream.",
    "{S} will develop test scripts covering the principal business scenarios supported by the "
    "{system} and will execute them jointly with {C}'s {dept} users.",
    "{S} will prepare runbooks describing the operating procedures for the {system} interface, "
    "including monitoring, backup, restart and escalation steps.",
    "{S} will deliver up to {n} instructor-led training sessions for {C}'s {dept} users, together "
    "with quick-reference guides and recorded walkthroughs.",
    "{S} will coordinate with {C}'s third-party vendors to obtain the technical documentation and "
    "test credentials needed for the {system} interface.",
    "{S} will map the data elements exchanged with the {system}, define transformation and "
    "validation rules, and obtain {C}'s sign-off on the mapping before development begins.",
    "{S} will reconcile record counts and control totals between the {system} and the target "
    "environment and investigate any variance greater than one-tenth of one percent.",
)
DELIVERABLES = (
    ("Project Charter", "a document describing objectives, scope, governance, stakeholders and the "
     "communication plan for the project"),
    ("Requirements Specification", "a catalogue of functional and non-functional requirements, "
     "each traced to a business process and prioritized with {C}"),
    ("Solution Design Document", "the target architecture, interface specifications, data model and "
     "security design for the solution"),
    ("Data Mapping Workbook", "field-level mappings, transformation rules and data quality checks for "
     "each source system"),
    ("Test Strategy and Test Scripts", "the approach, environments, entry and exit criteria and the "
     "scripts used for system and acceptance testing"),
    ("Test Completion Report", "a summary of test execution, defects found and resolved, and any "
     "open items with agreed workarounds"),
    ("Training Materials", "user guides, administrator guides and recorded training sessions"),
    ("Cutover Plan", "the sequence of tasks, owners, timings and rollback criteria for go-live"),
    ("Operations Runbook", "procedures for monitoring, incident handling, backup and recovery"),
    ("Reporting Pack", "the configured dashboards and scheduled reports listed in the requirements"),
    ("Project Closure Report", "a record of deliverables accepted, lessons learned and recommended "
     "next steps"),
)
ASSUMPTIONS = (
    "{C} will provide remote access to its non-production environments within five (5) Business Days "
    "after the start of the project.",
    "All work will be performed remotely except for up to {n} on-site visits to {C}'s facilities, "
    "which {C} will schedule at least two (2) weeks in advance.",
    "{C} will designate a project manager with authority to make day-to-day decisions and to "
    "approve Deliverables.",
    "The scope assumes no more than {n} source systems and no more than forty (40) reports; "
    "additional systems or reports will be addressed through a Change Order.",
    "{C} is responsible for the quality and completeness of its source data and for correcting data "
    "errors identified during testing.",
    "Project documentation will be prepared in English using {S}'s standard templates unless {C} "
    "provides its own templates before the design phase.",
    "{C} will obtain any third-party consents required for {S} to access systems licensed to {C}.",
    "Delays caused by late provision of information or approvals by {C} may result in an adjustment "
    "to the project schedule.",
    "Working hours are 8:00 a.m. to 6:00 p.m. local time on Business Days; work outside those hours "
    "requires {C}'s prior approval.",
    "{C} will make production change windows available on a weekly basis during the deployment "
    "phase.",
)
CHANGE_CONTROL = (
    ("Change Requests", "Either party may submit a change request describing the proposed change, "
     "its reason and its requested timing. Change requests are logged and numbered sequentially."),
    ("Impact Assessment", "{S} will assess each change request within five (5) Business Days and "
     "provide a written assessment of its effect on scope, schedule, resources, risks and Fees."),
    ("Approval", "A change becomes effective only when both parties' project managers sign a Change "
     "Order. Until then, {S} will continue to perform in accordance with the existing scope."),
    ("Emergency Changes", "Where a change is needed urgently to prevent harm to {C}'s operations, the "
     "project managers may approve it by e-mail, to be confirmed by a Change Order within five (5) "
     "Business Days."),
    ("Change Log", "{S} will maintain a log of all change requests and their status and will present "
     "it at each status meeting."),
    ("Minor Changes", "Changes that do not affect the Fees or any milestone date by more than five "
     "(5) Business Days may be agreed by the project managers and recorded in the change log."),
)
QUALITY = (
    ("Quality Management System", "{S} shall maintain a quality management system certified to ISO "
     "9001:2015, or an equivalent standard approved by {C}, covering all facilities at which the "
     "Products are manufactured, tested or stored."),
    ("First Article Inspection", "Before the first production shipment of any new or changed "
     "Product, {S} shall submit a first article inspection report demonstrating conformity with every "
     "dimensional and functional requirement of the Specifications."),
    ("Process Controls", "{S} shall establish statistical process controls for the characteristics "
     "identified as critical in the Specifications and shall maintain a process capability index "
     "(Cpk) of at least 1.33 for each of them."),
    ("Traceability", "{S} shall maintain lot traceability for all Products and their components, "
     "enabling identification of the materials, production date, line and operators for any unit "
     "within twenty-four (24) hours of a request."),
    ("Nonconforming Material", "{S} shall segregate and clearly identify nonconforming material and "
     "shall not ship it to {C} without a written deviation approved in advance by {C}'s quality "
     "department."),
    ("Corrective Action", "For each nonconformance reported by {C}, {S} shall provide containment "
     "actions within forty-eight (48) hours and a root-cause analysis and corrective action plan "
     "within fifteen (15) Business Days, using the 8D or an equivalent method."),
    ("Calibration", "{S} shall calibrate all inspection, measuring and test equipment at defined "
     "intervals against standards traceable to national standards and shall keep calibration records "
     "for at least three (3) years."),
    ("Sub-tier Suppliers", "{S} shall flow down the requirements of this Exhibit to its suppliers of "
     "components and materials and shall monitor their quality performance."),
    ("Certificates of Conformance", "Each shipment shall be accompanied by a certificate of "
     "conformance signed by {S}'s quality representative, identifying the Purchase Order, part "
     "numbers, quantities and lot numbers."),
    ("Restricted Substances", "The Products shall comply with applicable restrictions on hazardous "
     "substances, and {S} shall provide material declarations for each Product upon request."),
    ("Quality Reviews", "{S} shall report its monthly quality performance, including parts-per-million "
     "defect rates and on-time delivery, and shall participate in quality reviews at {C}'s request."),
    ("Site Visits", "{C} may visit {S}'s manufacturing facilities on reasonable notice to observe "
     "production and quality processes relating to the Products."),
    ("Record Retention", "{S} shall retain production and inspection records for the Products for the "
     "longer of seven (7) years and the period required by Applicable Law."),
    ("Counterfeit Parts", "{S} shall purchase electronic components only from original manufacturers "
     "or their authorized distributors and shall maintain procedures to detect and exclude counterfeit "
     "parts."),
    ("Engineering Changes", "Engineering changes requested by {C} shall be implemented on the "
     "effective date agreed in writing, and {S} shall identify the first shipment containing the "
     "changed Product."),
)
PACKAGING = (
    ("Packaging", "Products shall be packed in accordance with good commercial practice to protect "
     "them from damage during handling, shipment and storage, using packaging materials that are "
     "recyclable wherever practicable."),
    ("Labeling", "Each carton shall bear a label showing {C}'s part number, {S}'s part number, "
     "quantity, lot number, date of manufacture and Purchase Order number, in human-readable form and "
     "as a Code 128 barcode."),
    ("Electrostatic Protection", "Products sensitive to electrostatic discharge shall be packed in "
     "static-shielding bags and marked with the appropriate warning symbol."),
    ("Pallets", "Palletized shipments shall use four-way-entry pallets no higher than one hundred "
     "twenty (120) centimeters, stretch-wrapped and labeled on two adjacent sides."),
    ("Shipping Documents", "Each shipment shall be accompanied by a packing list and, for "
     "international shipments, a commercial invoice and certificate of origin."),
    ("Advance Shipping Notice", "{S} shall transmit an advance shipping notice to {C} electronically "
     "on the day of dispatch, identifying the carrier, tracking number and contents of the shipment."),
    ("Carriers", "{S} shall use the carriers designated by {C} from time to time; if none is "
     "designated, {S} shall select a reputable carrier at the lowest reasonable cost."),
    ("Partial Shipments", "Partial shipments are not permitted without {C}'s prior consent, and "
     "shipments earlier than five (5) days before the confirmed delivery date may be refused."),
    ("Hazardous Materials", "Any Products classified as hazardous shall be packed, marked and "
     "documented in accordance with applicable transport regulations, and safety data sheets shall "
     "accompany the first shipment."),
    ("Receiving Hours", "Deliveries to {C}'s facilities shall be made between 7:00 a.m. and 3:00 p.m. "
     "local time on Business Days unless otherwise agreed."),
)
ACCEPTABLE_USE = (
    "Users shall not use the Subscription Services to send unsolicited bulk messages or to harvest "
    "e-mail addresses or other contact information.",
    "Users shall not attempt to probe, scan or test the vulnerability of the Subscription Services or "
    "to breach any security or authentication measures.",
    "Users shall not upload content that is unlawful, defamatory, obscene or that infringes the "
    "intellectual property or privacy rights of any person.",
    "Users shall not interfere with or disrupt the integrity or performance of the Subscription "
    "Services or the data contained in them.",
    "Users shall not use automated means to access the Subscription Services other than through the "
    "documented application programming interfaces.",
    "Users shall not impersonate any person or misrepresent their affiliation with any person or "
    "entity.",
    "Users shall not use the Subscription Services in violation of export control or economic "
    "sanctions laws.",
    "Users shall not share login credentials or allow any person other than the named User to use an "
    "account.",
    "Users shall not exceed documented rate limits for application programming interface calls.",
    "Users shall promptly report to the account administrator any suspected misuse of the "
    "Subscription Services.",
    "The account administrator is responsible for maintaining an accurate list of Users and for "
    "removing access promptly when a User leaves the organization.",
    "Suspected violations of this policy may be investigated, and accounts involved may be suspended "
    "while an investigation is pending.",
)
SECURITY = (
    ("Security Program", "{S} shall maintain a written information security program based on ISO/IEC "
     "27001 or a comparable framework, reviewed at least annually by {S}'s senior management."),
    ("Access Control", "{S} shall grant access to systems containing {C}'s data on a least-privilege "
     "basis, require multi-factor authentication for administrative and remote access, and review "
     "access rights at least quarterly."),
    ("Encryption", "{S} shall encrypt {C}'s data in transit using TLS 1.2 or higher and at rest using "
     "AES-256 or an equivalent algorithm, with keys managed under documented procedures."),
    ("Vulnerability Management", "{S} shall scan its systems for vulnerabilities at least monthly, "
     "remediate critical vulnerabilities within fifteen (15) days and high vulnerabilities within "
     "thirty (30) days, and commission an independent penetration test at least annually."),
    ("Logging and Monitoring", "{S} shall log security-relevant events, protect logs from tampering, "
     "retain them for at least one (1) year and monitor them for indications of compromise."),
    ("Personnel Security", "{S} shall conduct background checks on personnel with access to {C}'s "
     "data, to the extent permitted by law, and provide security awareness training at least "
     "annually."),
    ("Secure Development", "{S} shall follow a secure software development lifecycle, including code "
     "review and automated security testing before release to production."),
    ("Business Continuity", "{S} shall maintain business continuity and disaster recovery plans, test "
     "them at least annually, and provide {C} with a summary of the test results on request."),
    ("Data Segregation", "{S} shall logically segregate {C}'s data from the data of its other "
     "customers."),
    ("Data Deletion", "{S} shall securely delete {C}'s data from its systems within the period "
     "required by this Agreement, using methods consistent with recognized media sanitization "
     "guidelines."),
    ("Physical Security", "{S} shall host {C}'s data only in data centers with controlled physical "
     "access, video surveillance, environmental controls and redundant power."),
    ("Assessments", "{S} shall complete {C}'s reasonable security questionnaires no more than once per "
     "year and provide its most recent independent audit report, such as a SOC 2 Type II report."),
)
CONDUCT = (
    ("Ethical Conduct", "Each party shall conduct its business under this Agreement with honesty and "
     "integrity and in accordance with high standards of business ethics."),
    ("Labor Practices", "{S} shall not use forced, bonded or child labor, shall pay at least the "
     "applicable minimum wage and shall respect its workers' right to freedom of association."),
    ("Health and Safety", "{S} shall provide a safe and healthy working environment and comply with "
     "applicable occupational health and safety laws."),
    ("Environment", "{S} shall comply with applicable environmental laws, obtain required permits and "
     "seek to reduce waste, emissions and energy consumption."),
    ("Gifts and Hospitality", "Neither party shall offer to the other party's employees gifts or "
     "hospitality of more than nominal value, or any payment intended to improperly influence a "
     "business decision."),
    ("Conflicts of Interest", "Each party shall disclose to the other any actual or potential "
     "conflict of interest of which it becomes aware in connection with this Agreement."),
    ("Diversity", "{S} is encouraged to provide opportunities to small, minority-owned and "
     "women-owned businesses in its supply chain."),
    ("Reporting Concerns", "Each party shall maintain a channel through which employees and third "
     "parties may report concerns about unethical conduct without fear of retaliation."),
    ("Responsible Sourcing", "{S} shall exercise due diligence on the source and chain of custody of "
     "tin, tantalum, tungsten and gold contained in the Products, where applicable."),
    ("Trade Compliance", "{S} shall maintain procedures to ensure compliance with customs, export "
     "control and sanctions laws applicable to its activities under this Agreement."),
)
MARKETING = (
    ("Marketing Plan", "{C} shall prepare an annual marketing plan for the Products in the Territory, "
     "including target segments, planned campaigns, trade shows and sales targets, and shall submit "
     "it to {S} for review before the start of each Contract Year."),
    ("Sales Staff", "{C} shall maintain at least {n} sales representatives trained on the Products "
     "and shall ensure that new sales staff complete {S}'s product training within ninety (90) days "
     "after joining."),
    ("Demonstration Units", "{C} shall maintain at its own cost a reasonable number of demonstration "
     "units of the current Products for customer demonstrations and trade shows."),
    ("Trade Shows", "{C} shall exhibit the Products at no fewer than two (2) major industry trade "
     "shows in the Territory each Contract Year."),
    ("Marketing Materials", "{S} shall provide {C} with electronic copies of its product literature "
     "and marketing materials, which {C} may translate and adapt for the Territory with {S}'s approval."),
    ("Customer Support", "{C} shall provide first-line technical support to its customers for the "
     "Products and shall escalate issues it cannot resolve to {S}'s support team."),
    ("Market Information", "{C} shall inform {S} of market developments, competitor activity and "
     "customer feedback relating to the Products in the Territory."),
    ("Joint Visits", "Upon request, {C} shall arrange joint visits with {S}'s representatives to key "
     "customers in the Territory."),
    ("Website", "{C} shall maintain information about the Products on its website, using the current "
     "product descriptions and images supplied by {S}."),
    ("Product Registration", "{C} shall assist {S} in obtaining any product registrations or "
     "certifications required to sell the Products in the Territory."),
)
TRADEMARK = (
    ("Approved Use", "The Trademarks may be used only in the forms provided by {S} and only in "
     "connection with the advertising and sale of genuine Products."),
    ("Appearance", "The Trademarks shall not be altered, animated, rotated or combined with any other "
     "mark, and shall appear with the clear space and minimum size shown in {S}'s brand guidelines."),
    ("Trademark Symbols", "The first prominent use of a Trademark in any material shall carry the "
     "registered or unregistered trademark symbol, as appropriate in the relevant jurisdiction."),
    ("Attribution", "Materials bearing the Trademarks shall include a legend stating that the "
     "Trademarks are owned by {S} and used under license."),
    ("Domain Names", "{C} shall not register any domain name, social media handle or business name "
     "that contains a Trademark or a confusingly similar term."),
    ("Approval of Materials", "{C} shall submit samples of new advertising materials using the "
     "Trademarks to {S} for approval, which is deemed given if {S} does not object within ten (10) "
     "Business Days."),
    ("Quality", "{C} shall not use the Trademarks in any manner that could reflect adversely on {S} or "
     "the Products."),
    ("Infringement", "{C} shall promptly notify {S} of any infringement or suspected infringement of "
     "the Trademarks that comes to its attention in the Territory."),
)
ENVIRONMENT = (
    ("Supported Platforms", "The Software is supported on current long-term-support releases of the "
     "major Linux distributions and on Windows Server versions that remain in mainstream support."),
    ("Hardware", "Each production server shall have at least eight (8) processor cores, thirty-two "
     "(32) gigabytes of memory and solid-state storage sized in accordance with the Documentation."),
    ("Databases", "The Software requires a supported relational database; {S} will confirm the "
     "certified versions before installation."),
    ("Network", "Servers running the Software require outbound access to {S}'s update service and "
     "inbound access on the ports listed in the Documentation."),
    ("Installation", "{S} will provide remote installation assistance for one (1) production and one "
     "(1) non-production environment during the first thirty (30) days after delivery."),
    ("Virtualization", "The Software may be installed on virtual machines, provided each virtual "
     "machine meets the minimum requirements stated in this Exhibit."),
    ("Backups", "{C} is responsible for backing up the databases and configuration files used by the "
     "Software in accordance with the Documentation."),
    ("Third-Party Components", "The Software includes third-party components listed in the "
     "Documentation, each licensed under the terms identified there."),
)
PRODUCTS = {
    "sensor": ("Vibration sensor module", "Temperature sensor module", "Humidity and dew-point sensor",
               "Pressure transducer", "Edge gateway controller", "Mounting bracket kit",
               "Power supply unit, 24 V", "Sensor cable assembly, 2 m", "Battery pack, lithium",
               "Magnetic mounting base", "Signal conditioning board", "Enclosure, IP67"),
    "pcb": ("Controller board assembly", "Power distribution board", "Wire harness, main",
            "Sensor interface board", "Display driver board", "Wire harness, auxiliary",
            "Communication module", "Relay board assembly", "LED indicator board"),
    "housing": ("Polymer housing, large", "Polymer housing, small", "Gasket set", "Front bezel",
                "Battery door", "Cable gland insert", "Mounting flange", "Lens cover"),
    "packaging": ("Shipping carton, single unit", "Shipping carton, 10-pack", "Foam insert set",
                  "Product label roll", "Pallet label", "Instruction leaflet"),
    "scanner": ("Diagnostic scanner, standard", "Diagnostic scanner, rugged", "Charging dock",
                "Carrying case", "Replacement battery", "Probe cable", "Calibration kit"),
    "gateway": ("Industrial wireless gateway", "Outdoor antenna kit", "Mesh repeater node",
                "Gateway management license", "Mounting pole kit", "Surge protector"),
}
FEATURES = ("rated for -40 to 85 degrees Celsius", "with conformal coating", "RoHS compliant",
            "supplied with calibration certificate", "UL recognized", "with twelve-month shelf life",
            "compatible with firmware release 4.2 or later", "packed in lots of fifty (50)",
            "IP67 rated", "with tamper-evident seal", "supplied with mounting hardware",
            "tested to IEC 61000-4 immunity levels")


def _fill(template: str, s: Spec, r: Random, **slots: str) -> str:
    return template.format(S=s.S, C=s.C, dept=slots.get("dept", r.choice(DEPARTMENTS)),
                           system=slots.get("system", r.choice(SYSTEMS)), ws=slots.get("ws", ""),
                           n=slots.get("n", r.choice(("two (2)", "three (3)", "four (4)", "six (6)"))))


def _words(units: list[Unit]) -> int:
    return sum(len(u.text.split()) + _words(u.children) for u in units)


class _Budget:
    def __init__(self, words: int) -> None:
        self.left = words

    def spend(self, units: list[Unit]) -> None:
        self.left -= _words(units)

    @property
    def open(self) -> bool:
        return self.left > 0


def _headed_pool(pool: tuple[tuple[str, str], ...], s: Spec, r: Random, budget: _Budget,
                 cats: tuple[str, ...] = (), minimum: int = 3) -> list[Unit]:
    items = list(pool)
    r.shuffle(items)
    units: list[Unit] = []
    for heading, text in items:
        if len(units) >= minimum and not budget.open:
            break
        unit = Unit(heading, _fill(text, s, r), cats=cats)
        units.append(unit)
        budget.spend([unit])
    return units


VARIANTS = ("", ", extended temperature range", ", OEM version", ", bulk packaging",
            ", high-durability version")


def _catalog(s: Spec, r: Random, budget: _Budget, family: str) -> list[Unit]:
    prefix = "".join(w[0] for w in s.supplier.short.split()).upper()[:2] + r.choice("KLMPRT")
    names = list(PRODUCTS[family])
    base = {name: r.choice((4, 8, 12, 19, 24, 36, 48, 75, 120, 240, 480)) for name in names}
    units = []
    i = 0
    while i < 3 or (budget.open and i < len(names) * 2):
        name = names[i % len(names)]
        variant = VARIANTS[(i // len(names)) * r.randint(1, len(VARIANTS) - 1)]
        part = f"{prefix}-{r.randint(1000, 9999)}"
        price = round(base[name] * r.uniform(0.9, 1.25), 2) if variant else float(base[name])
        moq = r.choice((10, 25, 50, 100, 250, 500))
        weeks = r.choice((2, 4, 6, 8, 10, 12))
        features = r.sample(FEATURES, 2)
        text = (f"Part No. {part}: {name}{variant}, {features[0]}, {features[1]}. Unit price: "
                f"${price:,.2f}. Minimum order quantity: {moq:,} units. Standard lead time: "
                f"{count(weeks, 'week')} from acceptance of the Purchase Order.")
        unit = Unit(None, text)
        units.append(unit)
        budget.spend([unit])
        i += 1
    return units


def _sow(s: Spec, r: Random, budget: _Budget, what: str = "") -> Exhibit:
    S, C = s.S, s.C
    what = what or s.offer
    units = [Unit("Background", f"This Statement of Work is entered into under, and is governed by, "
                  f"the Agreement. {C} has engaged {S} to provide {what} in support of a program to "
                  f"modernize the systems and processes used by its "
                  f"{r.choice(DEPARTMENTS)} and {r.choice(DEPARTMENTS)} functions.")]
    budget.spend(units)
    streams = list(WORKSTREAMS)
    r.shuffle(streams)
    scope: list[Unit] = []
    for k, ws in enumerate(streams):
        if k >= (2 if s.verbosity else 1) and budget.left < 1200:
            break
        acts = r.sample(ACTIVITIES, r.randint(3, 5))
        dept, system = r.choice(DEPARTMENTS), r.choice(SYSTEMS)
        text = " ".join(_fill(a, s, r, ws=ws.lower(), dept=dept, system=system) for a in acts)
        unit = Unit(ws, text)
        scope.append(unit)
        budget.spend([unit])
    units.append(Unit("Scope of Services", f"{S} will perform the following workstreams:",
                      children=scope))
    dels = [Unit(None, f"{name}: {desc.format(C=C)}.") for name, desc in
            r.sample(DELIVERABLES, r.randint(4, len(DELIVERABLES)) if s.verbosity else 3)]
    units.append(Unit("Deliverables", f"{S} will deliver the following Deliverables:", children=dels))
    weeks = sorted(r.sample(range(2, 40), 5))
    names = ("Project kickoff completed", "Design approved", "Build complete", "Testing complete",
             "Go-live")
    miles = [Unit(None, f"{m}: within {count(w, 'week')} after the start of the project.")
             for m, w in zip(names, weeks)]
    units.append(Unit("Project Schedule", "The parties will use reasonable efforts to achieve the "
                      "following milestones:", children=miles))
    asm = [Unit(None, _fill(a, s, r)) for a in
           r.sample(ASSUMPTIONS, r.randint(4, len(ASSUMPTIONS)) if s.verbosity else 3)]
    units.append(Unit("Assumptions", "This Statement of Work is based on the following assumptions:",
                      children=asm))
    fee = r.choice((85_000, 120_000, 175_000, 240_000, 360_000, 480_000))
    units.append(Unit("Fees", f"The Fees for this Statement of Work are a fixed fee of ${fee:,}, "
                      f"invoiced in equal installments upon {C}'s acceptance of each milestone listed "
                      f"above, plus expenses reimbursable under the Agreement."))
    budget.spend(units[-4:])
    return Exhibit("Exhibit A", "Statement of Work No. 1", "", units)


def _order_form(s: Spec, r: Random, budget: _Budget) -> Exhibit:
    S, C = s.S, s.C
    users = r.choice((100, 250, 500, 1000, 2500))
    modules = r.sample(("Core Analytics", "Dashboards and Reporting", "Data Connectors",
                        "Workflow Automation", "Advanced Forecasting", "Audit Trail",
                        "Mobile Access", "API Access", "Sandbox Environment"), r.randint(3, 6))
    annual = r.choice((48_000, 96_000, 150_000, 240_000, 420_000))
    units = [
        Unit("Subscription", f"Subscribed modules: {', '.join(modules)}."),
        Unit("Users", f"Up to {number_words(users)} ({users:,}) named Users."),
        Unit("Annual Subscription Fee", f"${annual:,} per Contract Year."),
        Unit("Implementation Services", f"{S} will provide standard onboarding, including tenant "
             f"configuration, single sign-on setup and two (2) administrator training sessions, for a "
             f"one-time fee of ${r.choice((10_000, 15_000, 25_000)):,}."),
        Unit("Hosting Region", r.choice(("United States.", "United States and Canada.",
                                         "European Union."))),
        Unit("Customer Contacts", f"{C}'s administrator and billing contacts are as notified by {C} "
             f"to {S} in writing from time to time."),
    ]
    budget.spend(units)
    return Exhibit("Exhibit A", "Order Form No. 1", "", units)


def _support_policy(s: Spec, r: Random, budget: _Budget) -> Exhibit:
    S, C = s.S, s.C
    units = [
        Unit("Support Channels", f"{C} may report incidents through {S}'s support portal at any time "
             f"and by telephone during Business Hours. Each incident is assigned a ticket number."),
        Unit("Severity Levels", "Severity 1 means the software is unavailable or a critical function "
             "is unusable with no workaround. Severity 2 means a major function is impaired. Severity 3 "
             "means a minor function is impaired or a workaround exists. Severity 4 means a question "
             "or request for enhancement."),
        Unit("Target Response Times", f"{S} will acknowledge incidents within one (1) hour for "
             f"Severity 1, four (4) hours for Severity 2, one (1) Business Day for Severity 3 and two "
             f"(2) Business Days for Severity 4.", cats=("Service Levels",)),
        Unit("Customer Cooperation", f"{C} will provide reasonable information to reproduce reported "
             f"incidents and will make knowledgeable personnel available to assist {S}."),
        Unit("Exclusions", f"Support does not cover issues caused by modifications not made by {S}, "
             f"use in breach of the Agreement, or third-party products not supplied by {S}."),
    ]
    budget.spend(units)
    return Exhibit("Exhibit B", "Support Policy", "", units)


def _license_schedule(s: Spec, r: Random, budget: _Budget) -> Exhibit:
    S, C = s.S, s.C
    fee = r.choice((60_000, 125_000, 250_000, 400_000))
    maint = r.choice((18, 20, 22))
    modules = r.sample(("Server Edition", "Administration Console", "Connector Pack",
                        "Reporting Module", "High Availability Add-On", "Developer Toolkit",
                        "Audit Module"), r.randint(3, 5))
    units = [
        Unit("Licensed Software", f"{s.offer[4:] if s.offer.startswith('the ') else s.offer}, "
             f"comprising: {', '.join(modules)}."),
        Unit("License Fee", f"A one-time license fee of ${fee:,}, invoiced on delivery of the "
             f"Software."),
        Unit("Maintenance Fee", f"Annual maintenance and support fees equal to {maint} percent of the "
             f"license fee, invoiced annually in advance beginning on the first anniversary of "
             f"delivery."),
        Unit("Documentation", f"The installation guide, administrator guide, user guide and release "
             f"notes made available by {S} on its customer portal."),
    ]
    budget.spend(units)
    return Exhibit("Exhibit A", "Licensed Software and Fees", "", units)


def _catalog_exhibit(s: Spec, r: Random, budget: _Budget, title: str) -> Exhibit:
    family = _family(s.offer)
    intro = (f"The Products and prices below are stated in United States dollars and apply to "
             f"Purchase Orders issued on or after the Effective Date.")
    return Exhibit("Exhibit A", title, intro, [Unit("Product List", "", children=_catalog(
        s, r, budget, family))])


MODULES = ("Core Platform", "Data Connectors", "Dashboards and Reporting", "Workflow Automation",
           "Advanced Forecasting", "Audit Trail", "Mobile Access", "Administration Console",
           "Alerts and Notifications", "Document Repository", "Search and Discovery",
           "Integration Gateway", "Role-Based Access Control", "Data Quality Monitor")
FEATURE_SENTENCES = (
    "The {m} module allows authorized Users to {verb} {obj} through a browser-based interface.",
    "Administrators can configure the {m} module to {verb} {obj} according to rules defined by {C}.",
    "The {m} module records each change to {obj} with the User, date and time of the change.",
    "Output from the {m} module can be exported in CSV, XLSX and PDF formats and scheduled for "
    "delivery by e-mail.",
    "The {m} module exposes documented application programming interfaces that {C} may use to "
    "{verb} {obj} from its own systems.",
    "The {m} module supports single sign-on through SAML 2.0 and provisioning of Users through "
    "SCIM.",
    "Within the {m} module, Users can filter, sort and save views of {obj} and share them with other "
    "Users in the same workspace.",
    "The {m} module validates {obj} on entry and flags records that fail the validation rules "
    "configured by {C}'s administrators.",
    "Performance of the {m} module is designed to support up to {n} concurrent Users without "
    "material degradation of response times.",
    "{S} provides online help, release notes and recorded tutorials for the {m} module.",
)
VERBS = ("review", "approve", "import", "reconcile", "analyze", "track", "archive", "classify",
         "schedule", "export")
OBJECTS = ("contract records", "supplier data", "purchase transactions", "inventory positions",
           "service tickets", "financial reports", "shipment events", "customer accounts",
           "sensor readings", "compliance attestations")
SPEC_FIELDS = (
    "Dimensions: {a} x {b} x {c} mm; weight {w} g.",
    "Materials: {mat}.",
    "Operating temperature: {lo} to {hi} degrees Celsius; storage temperature -40 to 85 degrees "
    "Celsius.",
    "Ingress protection: {ip}.",
    "Supply voltage: {v} V DC nominal; maximum current draw {ma} mA.",
    "Certifications: {cert}.",
    "Mean time between failures: not less than {mtbf:,} hours at 40 degrees Celsius.",
    "Marking: part number, revision and date code laser-etched on the enclosure.",
    "Finish: {finish}.",
)
MATERIALS = ("glass-filled polycarbonate", "anodized aluminum 6061", "ABS/PC blend",
             "stainless steel 316L", "FR-4 laminate with ENIG finish", "recycled corrugated fiberboard")
CERTS = ("UL 61010-1, CE, FCC Part 15 Class A", "CE, UKCA, RoHS 3", "IEC 60068-2 shock and vibration",
         "FCC Part 15 Class B, ISED", "ISTA 3A transit testing")
FINISHES = ("matte black powder coat", "natural anodize", "light gray textured (MT-11020)",
            "clear conformal coat", "unprinted kraft")


def _modules(s: Spec, r: Random, budget: _Budget) -> list[Unit]:
    names = list(MODULES)
    r.shuffle(names)
    units: list[Unit] = []
    for m in names:
        if len(units) >= 3 and not budget.open:
            break
        sentences = r.sample(FEATURE_SENTENCES, r.randint(3, 5))
        text = " ".join(x.format(m=m, S=s.S, C=s.C, verb=r.choice(VERBS), obj=r.choice(OBJECTS),
                                 n=r.choice(("250", "500", "1,000", "2,500"))) for x in sentences)
        unit = Unit(m, text)
        units.append(unit)
        budget.spend([unit])
    return units


def _spec_sheet(s: Spec, r: Random, budget: _Budget) -> list[Unit]:
    family = _family(s.offer)
    units: list[Unit] = []
    for name in PRODUCTS[family]:
        if len(units) >= 3 and not budget.open:
            break
        lo = r.choice((-40, -20, -10, 0))
        fields = [f.format(a=r.randint(20, 400), b=r.randint(20, 300), c=r.randint(5, 120),
                           w=r.randint(15, 4000), mat=r.choice(MATERIALS), lo=lo,
                           hi=r.choice((50, 60, 70, 85)), ip=r.choice(("IP54", "IP65", "IP67")),
                           v=r.choice((5, 12, 24, 48)), ma=r.choice((80, 150, 350, 900)),
                           cert=r.choice(CERTS), mtbf=r.choice((50_000, 100_000, 250_000)),
                           finish=r.choice(FINISHES))
                  for f in r.sample(SPEC_FIELDS, r.randint(5, len(SPEC_FIELDS)))]
        unit = Unit(name, " ".join(fields))
        units.append(unit)
        budget.spend([unit])
    return units


def _family(offer: str) -> str:
    return ("pcb" if "circuit" in offer else "housing" if "housing" in offer else
            "packaging" if "packaging" in offer else "scanner" if "scanner" in offer else
            "gateway" if "gateway" in offer else "sensor")


def exhibits(s: Spec, r: Random, words: int) -> list[Exhibit]:
    """Exhibit A always (the body refers to it); further exhibits while ``words`` last."""
    budget = _Budget(words)
    t = s.contract_type
    out: list[Exhibit] = []
    extra: list[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]] = []
    if t == "services":
        first_budget = _Budget(max(400, budget.left // 2))
        out.append(_sow(s, r, first_budget))
        budget.left -= _words(out[0].units)
        extra = [("Change Control Procedure", CHANGE_CONTROL, ())]
    elif t == "saas":
        out.append(_order_form(s, r, budget))
        if budget.open:
            out.append(_support_policy(s, r, budget))
        if budget.open:
            aup = [Unit(None, x.format(S=s.S, C=s.C)) for x in ACCEPTABLE_USE]
            out.append(Exhibit(f"Exhibit {chr(65 + len(out))}", "Acceptable Use Policy", "", aup))
            budget.spend(aup)
    elif t == "license":
        out.append(_license_schedule(s, r, budget))
        if budget.open:
            out.append(_support_policy(s, r, budget))
        extra = [("Technical Environment", ENVIRONMENT, ())]
    elif t == "supply":
        half = _Budget(max(300, budget.left // 3))
        out.append(_catalog_exhibit(s, r, half, "Products, Specifications and Pricing"))
        budget.left -= _words(out[0].units)
        extra = [("Quality Requirements", QUALITY, ()), ("Packaging and Shipping Requirements",
                                                         PACKAGING, ())]
    else:
        half = _Budget(max(300, budget.left // 3))
        out.append(_catalog_exhibit(s, r, half, "Products and Distributor Prices"))
        budget.left -= _words(out[0].units)
        extra = [("Marketing and Sales Commitments", MARKETING, ()),
                 ("Trademark Usage Guidelines", TRADEMARK, ())]
    if s.data_protection and t in ("saas", "services", "license"):
        extra.append(("Information Security Requirements", SECURITY, ("Data Protection",)))
    extra.append(("Supplier Code of Conduct", CONDUCT, ()))
    for title, pool, cats in extra:
        if not budget.open:
            break
        units = _headed_pool(pool, s, r, budget, cats=cats)
        out.append(Exhibit(f"Exhibit {chr(65 + len(out))}", title, "", units))
        if t in ("saas", "license") and title == extra[0][0] and budget.open:
            out.append(Exhibit(f"Exhibit {chr(65 + len(out))}", "Functional Description", "",
                               _modules(s, r, budget)))
        if t in ("supply", "distribution") and title == extra[0][0] and budget.open:
            out.append(Exhibit(f"Exhibit {chr(65 + len(out))}", "Product Specifications",
                               "Each Product shall conform to the following specifications.",
                               _spec_sheet(s, r, budget)))
    if t in ("saas", "license") and budget.open:
        sub = _Budget(min(budget.left, 3000))
        sow = _sow(s, r, sub, what=f"implementation and training services for {s.the_offer}")
        budget.left -= _words(sow.units)
        out.append(Exhibit(f"Exhibit {chr(65 + len(out))}", "Implementation Services", "",
                           sow.units))
    if t == "services" and budget.open:
        # Further statements of work while the budget lasts (long-form engagements).
        k = 2
        while budget.open and k <= 4:
            sub = _Budget(min(budget.left, 2500))
            sow = _sow(s, r, sub)
            budget.left -= _words(sow.units)
            out.append(Exhibit(f"Exhibit {chr(65 + len(out))}", f"Statement of Work No. {k}", "",
                               sow.units))
            k += 1
    return out
