"""The raw material of demo data: names, companies, deals and notes, and how to draw them.

Everything is drawn from a `random.Random` handed in, so one seed gives one data set.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from salesdesk.core.lines import line_total
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


# -- products, the lines of deals, quotes ----------------------------------------------
#
# The catalogue is written in both languages: a demo built under Chinese names its
# products, units and categories in Chinese (as its pipeline), one built in English in
# English. Codes are the same in both. Prices are whole major units of their currency.

CATEGORIES = {
    "hardware": ("Hardware", "硬件"),
    "software": ("Software", "软件"),
    "services": ("Services", "实施服务"),
    "training": ("Training", "培训"),
    "maintenance": ("Maintenance", "维保"),
    "parts": ("Spare parts and consumables", "备件耗材"),
}
UNITS = {
    "unit": ("unit", "台"),
    "seat": ("seat", "座席"),
    "module": ("module", "模块"),
    "TB": ("TB", "TB"),
    "day": ("day", "天"),
    "hour": ("hour", "小时"),
    "week": ("week", "周"),
    "year": ("year", "年"),
    "kit": ("kit", "套"),
    "box": ("box", "箱"),
    "piece": ("piece", "个"),
    "month": ("month", "月"),
    "project": ("project", "项"),
}


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    chinese: str
    unit: str  # a key of UNITS
    price: int  # whole major units of `currency`
    category: str  # a key of CATEGORIES
    quantity: tuple[int, int] = (1, 10)  # the quantities a line of it usually has
    currency: str = "USD"
    active: bool = True

    def named(self, chinese: bool) -> str:
        return self.chinese if chinese else self.name

    def unit_named(self, chinese: bool) -> str:
        return UNITS[self.unit][1 if chinese else 0]


PRODUCTS = (
    ProductSpec(
        "HW-LAP-14", 'Business laptop 14"', "商务笔记本电脑 14英寸", "unit", 1150, "hardware", (5, 80)
    ),
    ProductSpec(
        "HW-SCN-01", "Handheld barcode scanner", "手持条码扫描枪", "unit", 420, "hardware", (10, 200)
    ),
    ProductSpec("HW-POS-01", "POS terminal", "POS收银终端", "unit", 890, "hardware", (4, 60)),
    ProductSpec(
        "HW-TAB-10", 'Tablet 10" with case', "10英寸平板电脑（含保护套）", "unit", 380, "hardware", (10, 150)
    ),
    ProductSpec("HW-SW-48", "Network switch, 48 ports", "48口网络交换机", "unit", 2400, "hardware", (1, 30)),
    ProductSpec("HW-AP-06", "Wi-Fi access point", "无线接入点", "unit", 310, "hardware", (4, 60)),
    ProductSpec(
        "HW-VC-01", "Video conferencing room kit", "视频会议室套装", "kit", 3600, "hardware", (1, 20)
    ),
    ProductSpec(
        "HW-SNS-02", "Cold-chain temperature sensor", "冷链温度传感器", "unit", 95, "hardware", (20, 900)
    ),
    ProductSpec("HW-GPS-01", "Vehicle GPS tracker", "车载GPS定位器", "unit", 160, "hardware", (10, 400)),
    ProductSpec("HW-PRN-01", "Laser printer lease", "激光打印机租赁", "month", 45, "hardware", (12, 600)),
    ProductSpec(
        "HW-LAP-13",
        'Business laptop 13" (previous model)',
        "商务笔记本电脑 13英寸（旧款）",
        "unit",
        990,
        "hardware",
        (5, 60),
        active=False,
    ),
    ProductSpec(
        "SW-CRM-SEAT",
        "CRM licence, per seat and year",
        "CRM软件许可（每座席每年）",
        "seat",
        480,
        "software",
        (5, 300),
    ),
    ProductSpec("SW-ERP-MOD", "ERP module licence", "ERP模块许可", "module", 12000, "software", (1, 12)),
    ProductSpec(
        "SW-BKP-TB", "Cloud backup, per TB and year", "云备份（每TB每年）", "TB", 600, "software", (2, 200)
    ),
    ProductSpec("SV-SEC-01", "Security audit", "信息安全审计", "project", 8500, "services", (1, 3)),
    ProductSpec("SV-INST", "Installation and setup", "安装调试", "day", 950, "services", (1, 20)),
    ProductSpec("SV-MIG", "Data migration", "数据迁移服务", "project", 6500, "services", (1, 4)),
    ProductSpec("SV-PM", "Project management", "项目管理", "week", 2200, "services", (1, 30)),
    ProductSpec("SV-CONS", "Consulting", "咨询服务", "hour", 180, "services", (2, 600)),
    ProductSpec(
        "TR-DAY",
        "On-site training day (up to 12 people)",
        "现场培训（每天，最多12人）",
        "day",
        1200,
        "training",
        (1, 40),
    ),
    ProductSpec("MT-AMC", "Annual maintenance contract", "年度维保合同", "year", 4800, "maintenance", (1, 3)),
    ProductSpec(
        "MT-SPF", "Spare parts framework agreement", "备件框架协议", "year", 2500, "maintenance", (1, 3)
    ),
    ProductSpec("MT-SUP", "Premium support", "高级技术支持", "year", 3000, "maintenance", (1, 3)),
    ProductSpec("SP-KIT", "Spare parts kit", "备件包", "kit", 340, "parts", (2, 12)),
    ProductSpec(
        "SP-LBL", "Thermal label rolls (box of 24)", "热敏标签纸（每箱24卷）", "box", 85, "parts", (5, 40)
    ),
    ProductSpec("SP-TON", "Toner cartridge", "打印机硒鼓", "piece", 120, "parts", (4, 30)),
    ProductSpec(
        "SP-FLT",
        "Filter cartridge set (discontinued)",
        "滤芯组件（停产）",
        "kit",
        60,
        "parts",
        (5, 30),
        active=False,
    ),
    ProductSpec(
        "CN-AMC",
        "Annual maintenance contract (China)",
        "年度维保合同（国内）",
        "year",
        32000,
        "maintenance",
        (1, 3),
        "CNY",
    ),
    ProductSpec(
        "CN-INST",
        "Installation and setup (China)",
        "安装调试（国内）",
        "day",
        6000,
        "services",
        (1, 20),
        "CNY",
    ),
    ProductSpec("CN-KIT", "Spare parts kit (China)", "备件包（国内）", "kit", 2200, "parts", (2, 12), "CNY"),
)
PRODUCT_BY_CODE = {product.code: product for product in PRODUCTS}
# The product a CNY deal takes instead, where the catalogue has one priced in yuan.
IN_YUAN = {"MT-AMC": "CN-AMC", "SV-INST": "CN-INST", "SP-KIT": "CN-KIT"}
YUAN_PER_DOLLAR = 7  # what a salesperson types for a dollar-priced product on a yuan deal

# What each kind of deal sells: the products that carry its amount (the first that
# fits), then what often comes with it and how often.
BUNDLES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, float], ...]]] = {
    "50 laptops for the Shenzhen office": (("HW-LAP-14",), (("SV-INST", 0.4), ("MT-SUP", 0.3))),
    "ERP rollout phase 2": (("SW-ERP-MOD", "SV-CONS"), (("SV-MIG", 0.6), ("TR-DAY", 0.6), ("SV-PM", 0.5))),
    "Annual support renewal": (("MT-SUP", "MT-AMC"), (("MT-SPF", 0.4),)),
    "Warehouse scanners (120 units)": (("HW-SCN-01",), (("SP-LBL", 0.7), ("SV-INST", 0.4))),
    "CRM licences for the sales team": (("SW-CRM-SEAT",), (("TR-DAY", 0.7), ("SV-CONS", 0.3))),
    "Network upgrade, Shanghai HQ": (("HW-SW-48", "HW-AP-06"), (("HW-AP-06", 0.8), ("SV-INST", 0.7))),
    "Cloud backup subscription": (("SW-BKP-TB",), (("SV-MIG", 0.4),)),
    "POS terminals for 12 stores": (("HW-POS-01",), (("SV-INST", 0.7), ("SP-LBL", 0.5))),
    "Lab equipment service contract": (("MT-AMC",), (("MT-SPF", 0.7), ("SP-KIT", 0.4))),
    "Classroom tablets, spring term": (("HW-TAB-10",), (("TR-DAY", 0.5),)),
    "Fleet tracking pilot": (("HW-GPS-01",), (("SV-INST", 0.6), ("SW-BKP-TB", 0.2))),
    "Data centre migration": (("SV-MIG", "SV-CONS"), (("SV-PM", 0.6), ("SV-CONS", 0.4))),
    "Security audit": (("SV-SEC-01", "SV-CONS"), (("SV-CONS", 0.5),)),
    "Office furniture refit": ((), (("SV-INST", 0.5),)),  # free text: not in the catalogue
    "Video conferencing rooms": (("HW-VC-01",), (("SV-INST", 0.7), ("MT-SUP", 0.4))),
    "Printer fleet lease": (("HW-PRN-01",), (("SP-TON", 0.7),)),
    "Cold-chain sensors": (("HW-SNS-02",), (("SV-INST", 0.6), ("MT-AMC", 0.3))),
    "E-commerce platform integration": (("SV-CONS",), (("SV-PM", 0.5), ("TR-DAY", 0.3))),
    "Training for 40 engineers": (("TR-DAY",), (("SV-CONS", 0.3),)),
    "Spare parts framework agreement": (("MT-SPF", "SP-KIT"), (("SP-KIT", 0.6), ("MT-AMC", 0.7))),
    "年度维保合同": (("MT-AMC",), (("MT-SPF", 0.7),)),
    "新工厂自动化改造": (("SV-INST", "SV-CONS"), (("TR-DAY", 0.7), ("MT-AMC", 0.5), ("SV-PM", 0.5))),
    # A repeat customer's order of what it reorders (REORDERS), under its English title.
    "Spare parts reorder": (("SP-KIT",), (("MT-SPF", 0.15),)),
    "Label rolls reorder": (("SP-LBL",), (("HW-SCN-01", 0.15),)),
    "Toner reorder": (("SP-TON",), (("HW-PRN-01", 0.1),)),
    "Maintenance renewal": (("MT-AMC",), (("MT-SPF", 0.7),)),
    "CRM licence renewal": (("SW-CRM-SEAT",), (("TR-DAY", 0.2),)),
    "Backup subscription renewal": (("SW-BKP-TB",), ()),
}
# Bought together, across deals: who takes the first tends to take the second too.
CO_PURCHASES = (
    ("MT-AMC", "MT-SPF", 0.7),
    ("SV-INST", "TR-DAY", 0.65),
    ("HW-SW-48", "SV-INST", 0.6),
    ("HW-SCN-01", "SP-LBL", 0.6),
    ("HW-PRN-01", "SP-TON", 0.7),
)
# What an industry tends to add to an order.
INDUSTRY_EXTRAS = {
    "manufacturing": ("MT-AMC", 0.3),
    "healthcare": ("MT-AMC", 0.3),
    "construction": ("SP-KIT", 0.3),
    "retail": ("SP-LBL", 0.35),
    "logistics": ("HW-SCN-01", 0.25),
    "software": ("SW-CRM-SEAT", 0.25),
    "finance": ("SV-SEC-01", 0.2),
    "education": ("HW-TAB-10", 0.25),
}
# What a repeat customer of an industry orders again and again, at its own pace.
REORDERS = {
    "manufacturing": "SP-KIT",
    "healthcare": "SP-KIT",
    "construction": "SP-KIT",
    "retail": "SP-LBL",
    "logistics": "SP-LBL",
    "software": "SP-TON",
    "finance": "SP-TON",
    "education": "SP-TON",
}
# The titles of repeat orders (BUNDLES says what they hold).
REORDER_TITLES = {
    "SP-KIT": "Spare parts reorder",
    "SP-LBL": "Label rolls reorder",
    "SP-TON": "Toner reorder",
    "MT-AMC": "Maintenance renewal",
    "SW-CRM-SEAT": "CRM licence renewal",
    "SW-BKP-TB": "Backup subscription renewal",
}
# (English, Chinese): lines that name no product.
FREE_TEXT = {
    "Office furniture refit": (
        ("Desks and chairs as per the floor plan", "按平面图配置办公桌椅"),
        ("Meeting room furniture", "会议室家具"),
    ),
}
BIG_REMAINDER = ("Project services as per the statement of work", "项目实施服务（按工作说明书）")
FREIGHT = ("Freight and insurance", "运输及保险")

SELLER = (
    {
        "name": "Brightside Systems Ltd",
        "address": "Unit 4, 88 Harbour Road, Wan Chai, Hong Kong",
        "phone": "+852 2345 6789",
        "email": "sales@brightside.example.com",
        "tax_id": "HK-6143-2290",
    },
    {
        "name": "深圳明辉系统科技有限公司",
        "address": "广东省深圳市南山区科技园科苑路88号",
        "phone": "+86 755 8888 6789",
        "email": "sales@minghui.example.cn",
        "tax_id": "91440300MA5F8XK21Q",
    },
)
QUOTE_TERMS = (
    "Prices exclude VAT. Payment 30 days from invoice. Delivery 2-4 weeks from the order. "
    "Hardware carries a 12-month warranty.",
    "以上报价不含增值税。开票后30天内付款。下单后2至4周交货。硬件保修12个月。",
)


@dataclass
class LineDraft:
    """A deal's line as the demo plans it (money in minor units of the deal's currency)."""

    description: str
    quantity_milli: int
    unit: str
    unit_price: int
    product: ProductSpec | None = None
    discount_kind: str = "none"
    discount: int = 0

    @property
    def total(self) -> int:
        return line_total(self.quantity_milli, self.unit_price, self.discount_kind, self.discount)


def price_in(product: ProductSpec, currency: str) -> int:
    """The product's unit price on a deal in `currency`, minor units: its list price when
    the currencies match, else what a salesperson would type (yuan for dollars)."""
    if product.currency == currency:
        return product.price * 100
    if currency == "CNY":
        return product.price * YUAN_PER_DOLLAR * 100
    return max(1, product.price // YUAN_PER_DOLLAR) * 100


def product_for(code: str, currency: str) -> ProductSpec:
    """The catalogue's product for `code` on a deal in `currency` (its yuan twin if any)."""
    if currency == "CNY" and code in IN_YUAN:
        code = IN_YUAN[code]
    return PRODUCT_BY_CODE[code]


def product_line(
    product: ProductSpec, quantity: int, currency: str, chinese: bool, unit_price: int | None = None
) -> LineDraft:
    return LineDraft(
        product.named(chinese),
        quantity * 1000,
        product.unit_named(chinese),
        price_in(product, currency) if unit_price is None else unit_price,
        product,
    )


def free_line(text: tuple[str, str], amount: int, chinese: bool) -> LineDraft:
    return LineDraft(text[1 if chinese else 0], 1000, "", amount)


def draw_lines(
    rng: random.Random,
    title: str,
    currency: str,
    industry: str,
    chinese: bool,
    target: int | None = None,
    also: tuple[str, ...] = (),
    reorder: bool = False,
) -> list[LineDraft]:
    """The lines of a deal with `title`: its bundle, what comes with it (drawn), what the
    customer's industry adds (not to a `reorder`) and the products in `also`.

    With a `target` the lines' totals add up to exactly it (the deal's amount): what
    comes along takes at most 45 % of it, at list price, and the main product carries
    the rest at a negotiated unit price (or list price less an amount off, when no
    whole price fits); without one they are at list price.
    """
    mains, extras = BUNDLES.get(title, (("SV-CONS",), ()))
    if target is not None and mains:
        mains = (*mains, "SV-CONS")  # what carries an amount too small for the bundle's own
    codes = [code for code, chance in extras if rng.random() < chance]
    codes += list(also)
    extra = INDUSTRY_EXTRAS.get(industry)
    if extra and rng.random() < extra[1] and not reorder:
        codes.append(extra[0])
    for first, second, chance in CO_PURCHASES:
        if (first in codes or first in mains[:1]) and second not in codes and rng.random() < chance:
            codes.append(second)
    lines: list[LineDraft] = []
    budget = None if target is None else target * 45 // 100
    spent = 0
    for code in dict.fromkeys(codes):
        if code in mains[:1]:
            continue
        product = product_for(code, currency)
        low, high = product.quantity
        quantity = rng.randint(low, max(low, min(high, low * 4)))
        line = product_line(product, quantity, currency, chinese)
        if rng.random() < 0.12:
            line.discount_kind, line.discount = "percent", rng.choice((500, 1000, 1500))
        if budget is not None and spent + line.total > budget:
            line.quantity_milli = low * 1000
            if spent + line.total > budget:
                continue
        lines.append(line)
        spent += line.total
    if target is None:
        lines.insert(0, _main_at_list(rng, mains, currency, chinese, title))
    else:
        taken = {line.product.code for line in lines if line.product}
        mains = tuple(code for code in mains if product_for(code, currency).code not in taken)
        lines[:0] = _carry(rng, mains, target - spent, currency, chinese, title)
        assert sum(line.total for line in lines) == target, title
    return lines


def _main_at_list(
    rng: random.Random, mains: tuple[str, ...], currency: str, chinese: bool, title: str
) -> LineDraft:
    if not mains:
        texts = FREE_TEXT.get(title, (BIG_REMAINDER,))
        return free_line(rng.choice(texts), rng.randrange(20, 200) * 10_000, chinese)
    product = product_for(mains[0], currency)
    low, high = product.quantity
    return product_line(product, rng.randint(low, max(low, high // 3)), currency, chinese)


def _carry(
    rng: random.Random, mains: tuple[str, ...], rest: int, currency: str, chinese: bool, title: str
) -> list[LineDraft]:
    """Lines worth exactly `rest` minor units, of the first of `mains` that fits."""
    for code in mains:
        product = product_for(code, currency)
        price = price_in(product, currency)
        low, high = product.quantity
        wanted = rest / price
        if wanted < low * 0.5:
            continue
        if wanted > high:  # more than this product is sold in: the rest is project work
            quantity = rng.randint(max(low, high // 2), high)
            line = product_line(product, quantity, currency, chinese)
            return [line, free_line(BIG_REMAINDER, rest - line.total, chinese)]
        return [_exactly(product, rest, price, currency, chinese)]
    texts = FREE_TEXT.get(title, (BIG_REMAINDER,))
    return [free_line(rng.choice(texts), rest, chinese)]


def _exactly(product: ProductSpec, rest: int, price: int, currency: str, chinese: bool) -> LineDraft:
    """One line of `product` worth exactly `rest`: a whole unit price near the list price
    when a quantity gives one, else the list price less an amount off."""
    wanted = rest / price
    candidates = range(max(1, int(wanted * 0.85)), int(wanted * 1.2) + 2)
    for quantity in sorted(candidates, key=lambda q: abs(q - wanted)):
        unit_price, left = divmod(rest, quantity)
        if not left and not unit_price % 100 and 0.8 * price <= unit_price <= 1.1 * price:
            return product_line(product, quantity, currency, chinese, unit_price)
    quantity = max(1, -(-rest // price))
    line = product_line(product, quantity, currency, chinese)
    if line.total - rest > line.total * 0.35:
        line.unit_price = -(-rest // quantity // 100) * 100 if quantity > 1 else rest
        if line.unit_price * quantity < rest:
            line.unit_price += 100
    off = line.total - rest
    if off:
        line.discount_kind, line.discount = "amount", off
    return line


# The large demo's catalogue: the products above and models of its hardware and parts,
# made by rule (no random draws), up to LARGE_PRODUCTS.
LARGE_PRODUCTS = 200
_MODELS = (
    ("S", "S", 0.8),
    ("M", "M", 1.0),
    ("L", "L", 1.25),
    ("Pro", "专业版", 1.5),
    ("Lite", "简配版", 0.7),
    ("Plus", "增强版", 1.15),
    ("Max", "旗舰版", 1.8),
)


def large_catalogue() -> tuple[ProductSpec, ...]:
    """LARGE_PRODUCTS products: the small catalogue, then models of its hardware and
    spare parts (series 1 to 3 of each: `HW-SCN-01-PRO2`), every ninth retired."""
    families = [p for p in PRODUCTS if p.category in ("hardware", "parts") and p.active]
    products = list(PRODUCTS)
    series = 1
    while len(products) < LARGE_PRODUCTS:
        for family in families:
            for suffix, chinese, factor in _MODELS:
                if len(products) >= LARGE_PRODUCTS:
                    break
                code = f"{family.code}-{suffix.upper()}{series}"
                products.append(
                    replace(
                        family,
                        code=code,
                        name=f"{family.name} {suffix} (series {series})",
                        chinese=f"{family.chinese}{chinese}（第{series}代）",
                        price=max(1, round(family.price * factor * (1 + 0.1 * (series - 1)))),
                        active=len(products) % 9 != 0,
                    )
                )
        series += 1
    return tuple(products)


def models_of(catalogue: tuple[ProductSpec, ...]) -> dict[str, tuple[ProductSpec, ...]]:
    """The active models of each product code (the product itself first)."""
    by_code = {p.code: p for p in catalogue}
    models: dict[str, list[ProductSpec]] = {code: [product] for code, product in by_code.items()}
    for product in catalogue:
        family = product.code.rsplit("-", 1)[0]
        if family in models and family != product.code and product.active:
            models[family].append(product)
    return {code: tuple(found) for code, found in models.items()}


# -- contracts, payment plans, receipts and after-sales cases ---------------------------
#
# Each (English, Chinese): a demo built under Chinese types its plans, notes and cases in
# Chinese (a plan's pattern becomes its instalments' labels), one built in English in English.

PLAN_PATTERNS = (
    ("100%", "100%"),
    ("50%, 50% in 30 days", "50%签约时，50% 30天后"),
    ("30% on signing, 70% in 60 days", "30%签约时，70% 60天后"),
    ("3 monthly", "分3期"),
    ("4 quarterly", "分4期每季度"),
    ("30% on signing, 40% in 90 days, 30% in 180 days", "30%签约时，40% 90天后，30% 180天后"),
    ("6 monthly", "分6期"),
)
PAID_PATTERNS = PLAN_PATTERNS[:4]  # what the deals already paid were agreed on


def balance_pattern(first: int, days: int, chinese: bool) -> str:
    """A deposit on signing and the balance `days` later, as a person types it."""
    if chinese:
        return f"{first}%签约时，{100 - first}% {days}天后"
    return f"{first}% on signing, {100 - first}% in {days} days"


CONTRACT_NOTES = (
    ("Invoices to accounts payable; payment 30 days from invoice.", "发票寄财务部，开票后30天内付款。"),
    ("Renews for a year unless cancelled 60 days before the end.", "到期前60天未书面通知则自动续约一年。"),
    ("Signed copy scanned to the shared drive.", "合同原件已扫描存档。"),
    ("Late payment: 0.05% a day after the due date.", "逾期付款按每日万分之五计收滞纳金。"),
)
# How money arrives (core.contracts.METHODS), by the contract's currency, with weights.
RECEIPT_METHODS = {
    "USD": (("transfer", 6), ("card", 1), ("cheque", 1)),
    "CNY": (("transfer", 4), ("alipay", 1), ("wechat", 1)),
}
# After-sales cases: (title, notes), each (English, Chinese).
CASE_TEXTS = (
    (
        ("Two units dead on arrival", "两台设备到货即损坏"),
        ("Replacements shipped; waiting for the courier's claim form.", "已寄出替换件，等待快递理赔单。"),
    ),
    (
        ("Invoice shows the wrong tax number", "发票税号有误"),
        ("Finance is reissuing the invoice.", "财务正在重开发票。"),
    ),
    (
        ("Training date to be moved", "培训日期需调整"),
        ("They asked for a date after the holidays.", "客户希望改到节后。"),
    ),
    (
        ("Login errors after the update", "升级后无法登录"),
        ("Fixed with the patch of the 12th; customer confirmed.", "已通过补丁修复，客户已确认。"),
    ),
    (
        ("Spare parts kit missing a filter", "备件包缺少滤芯"),
        ("Sent the missing part by express.", "已加急补寄缺件。"),
    ),
    (
        ("Request for an on-site check", "申请上门巡检"),
        ("Waiting for the customer to confirm a date.", "等待客户确认上门时间。"),
    ),
)
# A plan typed line by line: the balance falls due when the work is accepted.
ACCEPTANCE_LABEL = ("Balance on acceptance", "验收后付尾款")
ACCEPTANCE_ONLY = ("On acceptance", "验收后付款")
