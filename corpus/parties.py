"""The fictional companies of the demo corpus: us, and the counterparties.

Every name here is invented for the demo (example.com e-mail addresses only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ACCOUNT_TEAMS", "COUNTERPARTIES", "Company", "OUR_COMPANY", "OUR_SIGNATORIES", "PEOPLE"]


@dataclass(frozen=True)
class Company:
    name: str  # "Acme Analytics, Inc."
    short: str  # "Acme" (running header, file name)
    entity: str  # "a Delaware corporation"
    address: str
    business: str  # what it does, for the recitals: "develops ..."
    offers: dict[str, str] = field(default_factory=dict)  # contract type -> what it supplies
    signatory: tuple[str, str] = ("", "")  # (name, title)

    @property
    def slug(self) -> str:
        return self.short.lower().replace(" ", "-")


#: We are always this company; sometimes the supplier, sometimes the customer.
OUR_COMPANY = Company(
    name="Clausewise Demo Corp.",
    short="Clausewise",
    entity="a Delaware corporation",
    address="200 Atlantic Avenue, Suite 900, Boston, Massachusetts 02110",
    business=("develops and markets contract analytics software, connected sensor devices and "
              "related professional services"),
    offers={
        "saas": "the Clausewise Insight contract analytics platform",
        "services": "data integration, implementation and managed analytics services",
        "supply": "industrial sensor modules and related components",
        "license": "the Clausewise DataBridge integration software",
        "distribution": "Clausewise connected sensor devices and related accessories",
    },
)

#: Who signs for us, by our role in the contract.
OUR_SIGNATORIES = {
    "supplier": [("Dana Whitfield", "Chief Executive Officer"), ("Marcus Lee", "Chief Revenue Officer"),
                 ("Elena Park", "General Counsel")],
    "customer": [("Marcus Lee", "Chief Financial Officer"), ("Samuel Ortiz", "Vice President, Procurement"),
                 ("Elena Park", "General Counsel")],
}

COUNTERPARTIES: tuple[Company, ...] = (
    Company("Acme Analytics, Inc.", "Acme", "a Delaware corporation",
            "1400 Market Street, Suite 1200, San Francisco, California 94103",
            "develops and operates cloud-based data analytics software",
            {"saas": "the Acme Pulse analytics platform",
             "services": "data science and analytics consulting services",
             "license": "the Acme Forecast Engine software"},
            ("Jordan Ellis", "Chief Executive Officer")),
    Company("Northwind Retail LLC", "Northwind", "an Ohio limited liability company",
            "850 Lakeview Parkway, Columbus, Ohio 43215",
            "operates a chain of home goods stores and an e-commerce business",
            {}, ("Priya Raman", "Chief Operating Officer")),
    Company("Globex Logistics Corporation", "Globex", "a Texas corporation",
            "3300 Commerce Drive, Dallas, Texas 75207",
            "provides warehousing, freight forwarding and logistics management services",
            {"services": "warehousing, freight management and logistics services"},
            ("Victor Hale", "President")),
    Company("Lakeshore Components Corp.", "Lakeshore", "an Illinois corporation",
            "77 West Industrial Road, Elk Grove Village, Illinois 60007",
            "manufactures printed circuit board assemblies and electromechanical components",
            {"supply": "printed circuit board assemblies and wire harnesses"},
            ("Gretchen Moll", "Vice President, Sales")),
    Company("Redwood Data Systems, Inc.", "Redwood", "a California corporation",
            "2100 Bayfront Boulevard, Redwood City, California 94065",
            "develops database and data protection software",
            {"license": "the Redwood Vault database software",
             "saas": "the Redwood Cloud Backup service"},
            ("Anil Kapoor", "Chief Financial Officer")),
    Company("Bluefin Devices, Inc.", "Bluefin", "a Massachusetts corporation",
            "40 Harbor Point Road, Gloucester, Massachusetts 01930",
            "designs and manufactures handheld diagnostic instruments",
            {"distribution": "Bluefin handheld diagnostic scanners and related accessories",
             "supply": "handheld diagnostic scanner assemblies"},
            ("Maureen Cole", "Chief Commercial Officer")),
    Company("Summit Ridge Foods, Inc.", "Summit Ridge", "a Colorado corporation",
            "5600 Foothills Parkway, Boulder, Colorado 80301",
            "produces and distributes packaged natural foods",
            {}, ("Thomas Becker", "Chief Information Officer")),
    Company("Evergreen Specialty Materials, Inc.", "Evergreen", "an Oregon corporation",
            "1250 Willamette Way, Eugene, Oregon 97401",
            "manufactures specialty polymer housings and enclosures",
            {"supply": "specialty polymer housings and enclosures"},
            ("Lucia Ferreira", "Vice President, Operations")),
    Company("Pinecrest Health Partners, LLC", "Pinecrest", "a Delaware limited liability company",
            "900 Medical Center Drive, Nashville, Tennessee 37203",
            "operates a network of outpatient clinics",
            {}, ("Dr. Raymond Osei", "Chief Administrative Officer")),
    Company("Nimbus Cloud Technologies, Inc.", "Nimbus", "a Washington corporation",
            "505 Union Street, Seattle, Washington 98101",
            "provides cloud hosting and workplace collaboration software",
            {"saas": "the Nimbus Workspace collaboration service",
             "services": "cloud hosting and managed infrastructure services"},
            ("Hannah Lindqvist", "Senior Vice President, Sales")),
    Company("Oakmont Financial Services, Inc.", "Oakmont", "a New York corporation",
            "120 Broad Street, 18th Floor, New York, New York 10004",
            "provides commercial lending and treasury services",
            {}, ("Charles Whitman", "Chief Technology Officer")),
    Company("Ironclad Security Solutions, Inc.", "Ironclad", "a Virginia corporation",
            "1800 Tysons Boulevard, McLean, Virginia 22102",
            "provides cybersecurity software and managed security services",
            {"services": "managed security monitoring and incident response services",
             "license": "the Ironclad Sentinel endpoint protection software"},
            ("Keisha Monroe", "Chief Executive Officer")),
    Company("Brightwater Energy Holdings, Inc.", "Brightwater", "a Delaware corporation",
            "2 Houston Center, Suite 2500, Houston, Texas 77010",
            "owns and operates electric generation and distribution assets",
            {}, ("Gregory Nash", "Vice President, Procurement")),
    Company("Silverline Telecom, Inc.", "Silverline", "a Georgia corporation",
            "3400 Peachtree Road NE, Atlanta, Georgia 30326",
            "provides managed network and telecommunications services",
            {"services": "managed network and telecommunications services"},
            ("Olivia Grant", "Executive Vice President")),
    Company("Tailspin Aviation Services LLC", "Tailspin", "an Arizona limited liability company",
            "4100 Sky Harbor Boulevard, Phoenix, Arizona 85034",
            "provides aircraft maintenance, repair and overhaul services",
            {}, ("Robert Castillo", "Chief Operating Officer")),
    Company("Copperleaf Packaging Co.", "Copperleaf", "a Wisconsin corporation",
            "615 Riverside Drive, Green Bay, Wisconsin 54301",
            "manufactures custom corrugated packaging and labels",
            {"supply": "custom corrugated packaging, inserts and labels"},
            ("Nora Jensen", "Director of Sales")),
    Company("Keystone Logistics Group LLC", "Keystone", "a Pennsylvania limited liability company",
            "1 Logan Square, Philadelphia, Pennsylvania 19103",
            "operates regional distribution centers and trucking fleets",
            {}, ("William Shaw", "President")),
    Company("Fabrikam Networks, Inc.", "Fabrikam", "a Delaware corporation",
            "7 Technology Park Drive, Westford, Massachusetts 01886",
            "designs industrial wireless networking equipment",
            {"distribution": "Fabrikam industrial wireless gateways and antennas"},
            ("Isabel Duarte", "Vice President, Channel Sales")),
    Company("Granite Peak Outfitters LLC", "Granite Peak", "a Utah limited liability company",
            "250 South State Street, Salt Lake City, Utah 84111",
            "sells outdoor equipment through retail stores and online",
            {}, ("Kyle Brennan", "Chief Financial Officer")),
    Company("Meridian Freight Partners LLC", "Meridian", "a Delaware limited liability company",
            "1000 Harbor Boulevard, Long Beach, California 90802",
            "provides intermodal freight and distribution services and resells industrial equipment",
            {}, ("Sofia Alvarez", "Managing Director")),
    Company("Contoso Pharmaceuticals, Inc.", "Contoso", "a New Jersey corporation",
            "300 College Road East, Princeton, New Jersey 08540",
            "develops and manufactures generic pharmaceutical products",
            {}, ("Dr. Helen Park", "Chief Information Officer")),
    Company("Harborview Hospitality Group LLC", "Harborview", "a Florida limited liability company",
            "601 Brickell Key Drive, Miami, Florida 33131",
            "owns and manages hotels and resorts",
            {}, ("Marco Bellini", "Chief Executive Officer")),
)

#: Account teams and their people (owner e-mails are example.com addresses).
ACCOUNT_TEAMS = ("Enterprise East", "Enterprise West", "Commercial")
PEOPLE = {
    "Enterprise East": ("priya.nair@example.com", "tom.okafor@example.com"),
    "Enterprise West": ("lena.fischer@example.com", "diego.santos@example.com"),
    "Commercial": ("amy.chen@example.com", "raj.patel@example.com"),
}
