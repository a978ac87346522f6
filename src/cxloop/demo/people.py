"""Demo customers: names, emails and attributes that fit their language and region."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

LANGUAGE_MIX = (("en", 0.34), ("vi", 0.26), ("th", 0.20), ("lt", 0.20))
TIERS = (
    ("bronze", 0.50, 180.0),
    ("silver", 0.30, 520.0),
    ("gold", 0.15, 1400.0),
    ("platinum", 0.05, 4200.0),
)
TIER_MOOD = {"bronze": -0.15, "silver": 0.0, "gold": 0.25, "platinum": 0.45}
REGIONS = {
    "en": ("London", "Manchester", "Singapore", "Sydney", "Dublin"),
    "vi": ("Hồ Chí Minh", "Hà Nội", "Đà Nẵng", "Cần Thơ"),
    "th": ("กรุงเทพมหานคร", "เชียงใหม่", "ภูเก็ต", "ขอนแก่น"),
    "lt": ("Vilnius", "Kaunas", "Klaipėda", "Šiauliai"),
}
EN_GIVEN = (
    "Olivia",
    "James",
    "Amelia",
    "Oliver",
    "Isla",
    "Harry",
    "Ava",
    "Jack",
    "Mia",
    "Noah",
    "Grace",
    "Leo",
    "Chloe",
    "Ethan",
    "Emily",
    "Lucas",
    "Sophie",
    "Daniel",
    "Ruby",
    "Samuel",
)
EN_FAMILY = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Walker",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Tan",
    "Lim",
)
VI_FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
)
VI_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Gia")
VI_GIVEN = (
    "Anh",
    "Bình",
    "Châu",
    "Dũng",
    "Hà",
    "Hạnh",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Minh",
    "Nam",
    "Ngọc",
    "Phương",
    "Quân",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Long",
)
TH_GIVEN = (
    ("สมชาย", "somchai"),
    ("สุดา", "suda"),
    ("นิรันดร์", "niran"),
    ("กัญญา", "kanya"),
    ("อนันต์", "anan"),
    ("พลอย", "ploy"),
    ("อาทิตย์", "arthit"),
    ("มาลี", "malee"),
    ("ณัฐพงศ์", "nattapong"),
    ("ศิริพร", "siriporn"),
    ("วิชัย", "wichai"),
    ("กรรณิการ์", "kannika"),
    ("ธนากร", "thanakorn"),
    ("ปิยะนุช", "piyanuch"),
)
TH_FAMILY = (
    ("ศรีสุข", "srisuk"),
    ("วงศ์สวัสดิ์", "wongsawat"),
    ("ชัยพร", "chaiyaporn"),
    ("รัตนากร", "rattanakorn"),
    ("บุญมี", "boonmee"),
    ("แซ่ตั้ง", "saetang"),
    ("กิตติศักดิ์", "kittisak"),
    ("พรหมมา", "phromma"),
    ("ทองใจ", "thongjai"),
)
LT_MEN = ("Jonas", "Tomas", "Mantas", "Lukas", "Paulius", "Darius", "Andrius", "Vytautas", "Matas")
LT_WOMEN = ("Rūta", "Eglė", "Aušra", "Inga", "Greta", "Ieva", "Laura", "Agnė", "Gabija")
LT_FAMILY = (
    ("Kazlauskas", "Kazlauskienė"),
    ("Petrauskas", "Petrauskaitė"),
    ("Jankauskas", "Jankauskienė"),
    ("Stankevičius", "Stankevičiūtė"),
    ("Vasiliauskas", "Vasiliauskienė"),
    ("Žukauskas", "Žukauskaitė"),
    ("Butkus", "Butkutė"),
    ("Paulauskas", "Paulauskienė"),
    ("Urbonas", "Urbonaitė"),
    ("Navickas", "Navickienė"),
)
DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")


@dataclass(frozen=True)
class Person:
    """A contact row plus what the generator needs to know about them."""

    id: str
    external_id: str
    name: str
    email: str
    language: str
    region: str
    tier: str
    mood: float  # how much happier (or not) than average, in NPS points
    signup: date


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _name(rng: random.Random, language: str) -> tuple[str, str]:
    """(display name, ascii handle for the email)."""
    if language == "vi":
        family, middle, given = rng.choice(VI_FAMILY), rng.choice(VI_MIDDLE), rng.choice(VI_GIVEN)
        return f"{family} {middle} {given}", f"{_ascii(given)}.{_ascii(family)}"
    if language == "th":
        (given, g), (family, f) = rng.choice(TH_GIVEN), rng.choice(TH_FAMILY)
        return f"{given} {family}", f"{g}.{f}"
    if language == "lt":
        man = rng.random() < 0.5
        given = rng.choice(LT_MEN if man else LT_WOMEN)
        family = rng.choice(LT_FAMILY)[0 if man else 1]
        return f"{given} {family}", f"{_ascii(given)}.{_ascii(family)}"
    given, family = rng.choice(EN_GIVEN), rng.choice(EN_FAMILY)
    return f"{given} {family}", f"{given.lower()}.{family.lower()}"


def make_people(rng: random.Random, count: int, today: date, new_id: object) -> list[Person]:
    """``count`` customers; ``new_id`` is the id factory (a callable returning str)."""
    assert callable(new_id)
    people = []
    for n in range(count):
        language = _weighted(rng, LANGUAGE_MIX)
        tier = _weighted(rng, tuple((t, w) for t, w, _ in TIERS))
        name, handle = _name(rng, language)
        people.append(
            Person(
                id=str(new_id()),
                external_id=f"CUST-{100000 + n}",
                name=name,
                email=f"{handle}{n}@{rng.choice(DOMAINS)}",
                language=language,
                region=rng.choice(REGIONS[language]),
                tier=tier,
                mood=TIER_MOOD[tier] + rng.gauss(0, 0.6),
                signup=today - timedelta(days=rng.randint(30, 4 * 365)),
            )
        )
    return people


def contact_row(rng: random.Random, person: Person, workspace_id: str) -> dict[str, object]:
    base = {t: v for t, _, v in TIERS}[person.tier]
    return {
        "id": person.id,
        "workspace_id": workspace_id,
        "external_id": person.external_id,
        "email": person.email,
        "phone": None,
        "name": person.name,
        "language": person.language,
        "attributes": {
            "tier": person.tier,
            "region": person.region,
            "signup_date": person.signup.isoformat(),
            "lifetime_value": round(base * rng.lognormvariate(0, 0.5), 2),
            "marketing_opt_in": rng.random() < 0.6,
        },
    }
