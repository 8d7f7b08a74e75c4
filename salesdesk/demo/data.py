"""The raw material of demo data: names, companies, deals and notes, and how to draw them.

Everything is drawn from a `random.Random` handed in, so one seed gives one data set.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from salesdesk.core.model import INTERACTION_KINDS

TEAMMATES = ("Alice Chen", "Bob Martin", "张丽")

ENGLISH_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Emily",
    "Matthew",
    "Olivia",
    "Anthony",
    "Sophie",
    "Mark",
    "Grace",
    "Oliver",
    "Hannah",
    "Priya",
    "Lucas",
    "Amelia",
    "Noah",
    "Chloe",
)
ENGLISH_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Clark",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Turner",
    "Parker",
    "Evans",
    "Collins",
    "Murphy",
    "Cooper",
    "Reed",
    "Bennett",
    "Hughes",
    "Fisher",
    "Ellis",
    "O'Brien",
    "Patel",
    "Nguyen",
    "Kowalski",
    "Schmidt",
)
# (characters, romanisation for the e-mail address)
CHINESE_SURNAMES = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
    ("欧阳", "ouyang"),
)
CHINESE_GIVEN = (
    ("伟", "wei"),
    ("娜", "na"),
    ("静", "jing"),
    ("敏", "min"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("勇", "yong"),
    ("军", "jun"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("华", "hua"),
    ("丽", "li"),
    ("强", "qiang"),
    ("芳", "fang"),
    ("建国", "jianguo"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("志强", "zhiqiang"),
    ("雪", "xue"),
)

INDUSTRIES = (
    "manufacturing",
    "software",
    "retail",
    "logistics",
    "healthcare",
    "education",
    "construction",
    "finance",
)
# Company names are built from a brand, a word for the industry and a legal suffix.
ENGLISH_BRANDS = (
    "Northwind",
    "Acme",
    "Bluebird",
    "Cedar",
    "Brightpath",
    "Lumen",
    "Harbor",
    "Summit",
    "Redwood",
    "Ironbridge",
    "Silverline",
    "Oakridge",
    "Meridian",
    "Falcon",
    "Keystone",
    "Evergreen",
    "Granite",
    "Pioneer",
)
ENGLISH_TRADES = {
    "manufacturing": "Manufacturing",
    "software": "Software",
    "retail": "Retail",
    "logistics": "Logistics",
    "healthcare": "Health",
    "education": "Learning",
    "construction": "Builders",
    "finance": "Capital",
}
ENGLISH_SUFFIXES = ("Ltd", "Inc.", "LLC", "Group", "plc", "& Co.")
CHINESE_BRANDS = (
    ("华信", "huaxin"),
    ("东方", "dongfang"),
    ("瑞康", "ruikang"),
    ("蓝海", "lanhai"),
    ("鼎盛", "dingsheng"),
    ("启明", "qiming"),
    ("长城", "changcheng"),
    ("金桥", "jinqiao"),
    ("恒通", "hengtong"),
    ("新纪元", "xinjiyuan"),
    ("远航", "yuanhang"),
    ("中科", "zhongke"),
)
CHINESE_TRADES = {
    "manufacturing": "精密制造",
    "software": "科技",
    "retail": "零售连锁",
    "logistics": "物流",
    "healthcare": "医疗器械",
    "education": "教育科技",
    "construction": "建设工程",
    "finance": "投资",
}
CHINESE_SUFFIXES = ("有限公司", "股份有限公司", "集团")

TITLES = (
    "Purchasing Manager",
    "IT Director",
    "Operations Manager",
    "CEO",
    "CFO",
    "CTO",
    "Procurement Lead",
    "Office Manager",
    "Head of Facilities",
    "Plant Manager",
    "Founder",
    "Head of IT",
)
CHINESE_TITLES = ("采购经理", "总经理", "IT主管", "运营总监", "财务总监", "副总裁")
SOURCES = ("referral", "website", "trade show", "cold call", "partner")
SOURCE_WEIGHTS = (4, 4, 2, 2, 1)

DEAL_TITLES = (
    "50 laptops for the Shenzhen office",
    "ERP rollout phase 2",
    "Annual support renewal",
    "Warehouse scanners (120 units)",
    "CRM licences for the sales team",
    "Network upgrade, Shanghai HQ",
    "Cloud backup subscription",
    "POS terminals for 12 stores",
    "Lab equipment service contract",
    "Classroom tablets, spring term",
    "Fleet tracking pilot",
    "Data centre migration",
    "Security audit",
    "Office furniture refit",
    "Video conferencing rooms",
    "Printer fleet lease",
    "Cold-chain sensors",
    "E-commerce platform integration",
    "Training for 40 engineers",
    "Spare parts framework agreement",
    "年度维保合同",
    "新工厂自动化改造",
)
NEXT_STEPS = (
    "Send revised quote",
    "Book a demo with the IT team",
    "Call to confirm budget",
    "Arrange a site visit",
    "Send contract for signature",
    "Chase procurement approval",
    "Prepare ROI summary",
    "Introduce our solution engineer",
    "发送报价单",
)
LOST_REASONS = (
    "price too high",
    "chose a competitor",
    "no budget this year",
    "project cancelled",
    "went silent",
)

SUMMARIES = {
    "call": (
        "Discussed delivery timeline",
        "Checked budget for next quarter",
        "Introduced the new product line",
        "Follow-up call on the quote",
        "Clarified technical requirements",
        "电话沟通报价细节",
    ),
    "email": (
        "Sent quote and product sheet",
        "Shared a customer case study",
        "Answered questions about the warranty",
        "Sent meeting notes",
        "Confirmed order details",
    ),
    "meeting": (
        "Kick-off meeting with procurement",
        "Demo for the IT team",
        "Quarterly business review",
        "Contract negotiation",
        "Requirements workshop",
    ),
    "visit": (
        "Site visit at the warehouse",
        "Visited the Shenzhen office",
        "Factory tour with the plant manager",
        "拜访客户总部",
    ),
    "message": (
        "WeChat: asked for the updated price list",
        "WhatsApp: confirmed meeting time",
        "微信：确认发货时间",
        "Teams: quick question about invoices",
    ),
    "note": (
        "Decision maker is the CFO",
        "Prefers email over calls",
        "Budget freezes in December",
        "Competitor offered a 10% discount",
        "客户对售后服务很满意",
    ),
}
BODIES = (
    "They want delivery before the end of the quarter. Price is fine if we include "
    "installation; the CFO signs anything over 50k.",
    "Main concern is integration with their existing ERP. Promised a reference call "
    "with a customer in the same industry.",
    "Asked for net-60 payment terms. I said we normally do net-30 and would check with finance.",
    "客户希望下个月安排现场演示，需要提前准备技术方案。",
    "Good meeting. Three stakeholders present; procurement will run a short tender.",
)
FOLLOWUP_TITLES = (
    "Call back about the quote",
    "Send the contract",
    "Check on delivery",
    "Quarterly check-in",
    "Prepare renewal offer",
    "Book a demo",
    "Confirm payment received",
    "Send case study",
    "回访客户满意度",
)
FOLLOWUP_KINDS = ("call", "email", "meeting", "visit")

assert set(SUMMARIES) == set(INTERACTION_KINDS)


@dataclass(frozen=True)
class Person:
    name: str
    company: str
    title: str
    phone: str
    email: str
    industry: str
    source: str


def draw_person(rng: random.Random, chinese: bool | None = None) -> Person:
    """A contact with a name, company, phone and e-mail that belong together."""
    if chinese is None:
        chinese = rng.random() < 0.45
    industry = rng.choice(INDUSTRIES)
    if chinese:
        surname, surname_py = rng.choice(CHINESE_SURNAMES)
        given, given_py = rng.choice(CHINESE_GIVEN)
        brand, brand_py = rng.choice(CHINESE_BRANDS)
        name = surname + given
        company = brand + CHINESE_TRADES[industry] + rng.choice(CHINESE_SUFFIXES)
        email = f"{given_py}.{surname_py}@{brand_py}-{industry[:4]}.cn"
        title = rng.choice(CHINESE_TITLES if rng.random() < 0.4 else TITLES)
        phone = cn_mobile(rng)
    else:
        first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
        brand = rng.choice(ENGLISH_BRANDS)
        name = f"{first} {last}"
        company = f"{brand} {ENGLISH_TRADES[industry]} {rng.choice(ENGLISH_SUFFIXES)}"
        local = f"{first}.{last}".lower().replace("'", "")
        email = f"{local}@{brand.lower()}{industry[:4]}.com"
        title = rng.choice(TITLES)
        phone = us_phone(rng) if rng.random() < 0.6 else uk_phone(rng)
    source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
    return Person(name, company, title, phone, email, industry, source)


def cn_mobile(rng: random.Random) -> str:
    prefix = rng.choice(("138", "139", "136", "150", "186", "189", "177"))
    return f"+86 {prefix} {rng.randrange(10000):04d} {rng.randrange(10000):04d}"


def us_phone(rng: random.Random) -> str:
    area = rng.choice(("212", "415", "312", "617", "206", "512"))
    return f"+1 ({area}) 555-{rng.randrange(10000):04d}"


def uk_phone(rng: random.Random) -> str:
    return f"+44 20 7946 {rng.randrange(10000):04d}"


def draw_amount(rng: random.Random, currency: str) -> int:
    """Minor units, log-uniform from 1,000 to 250,000 (USD), rounded to a round figure."""
    major = 1000 * (250 ** rng.random())
    if currency == "CNY":
        major *= 7
    step = 100 if major < 20_000 else 1000
    return int(round(major / step) * step) * 100


def draw_birthday(rng: random.Random) -> date:
    year = rng.randrange(1960, 2000)
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def tag_names(year: int) -> tuple[str, ...]:
    return (
        "vip",
        "reseller",
        "enterprise",
        "smb",
        f"trade-show-{year}",
        "newsletter",
        "government",
        "key-account",
    )
