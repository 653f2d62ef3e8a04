"""What a court notice says, in Kazakh, Russian and English — pure, no database, no network.

The Civil Procedure Code of Kazakhstan, art. 128(2), fixes what a notice (summons) must contain:
the court, the case, the time and place of the hearing or action, who is summoned and in what
capacity. :class:`NoticeContent` carries exactly those particulars next to the title and body
(:mod:`cabinet.notifications.wording` writes them from the issuing service's facts);
:func:`render_email` and :func:`render_sms` turn it into the message text, wholly in the language
the person chose (``cabinet.identity.language``): a summons the person cannot read was not served,
and one that mixes three languages is hard to read. The capacity is named in the reader's language,
declined where the sentence needs it (:mod:`cabinet.notifications.declension`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from cabinet.notifications import declension
from cabinet.notifications.errors import NoticeInvalid
from core.clock import COURT_TIME


class NoticeKind(enum.Enum):
    FILING_REGISTERED = "filing_registered"
    FILING_RETURNED = "filing_returned"
    JUDGE_ASSIGNED = "judge_assigned"
    HEARING_SCHEDULED = "hearing_scheduled"
    HEARING_MOVED = "hearing_moved"
    HEARING_CANCELLED = "hearing_cancelled"
    CASE_ACCEPTED = "case_accepted"
    LEFT_WITHOUT_MOTION = "left_without_motion"
    JUDICIAL_ACT_ISSUED = "judicial_act_issued"
    DOCUMENT_RECEIVED = "document_received"
    PAYMENT_RECEIVED = "payment_received"
    HEARING_RECORDED = "hearing_recorded"
    EXEMPTION_CONFIRMED = "exemption_confirmed"
    EXEMPTION_REFUSED = "exemption_refused"
    FEE_REFUNDED = "fee_refunded"
    DEFERRAL_GRANTED = "deferral_granted"
    DEFERRAL_REFUSED = "deferral_refused"
    FEE_DUE_SOON = "fee_due_soon"
    FEE_OVERDUE = "fee_overdue"

    @property
    def summons(self) -> bool:
        """A notice that calls the person to appear, rather than one that informs them."""
        return self in (NoticeKind.HEARING_SCHEDULED, NoticeKind.HEARING_MOVED)


LANGUAGES = ("kk", "ru", "en")

_HEADINGS: dict[NoticeKind, tuple[str, str, str]] = {
    NoticeKind.FILING_REGISTERED: ("Өтініш тіркелді", "Обращение зарегистрировано", "Filing registered"),
    NoticeKind.FILING_RETURNED: ("Өтініш қайтарылды", "Обращение возвращено", "Filing returned"),
    NoticeKind.JUDGE_ASSIGNED: ("Іске судья тағайындалды", "По делу назначен судья", "Judge assigned to the case"),
    NoticeKind.HEARING_SCHEDULED: ("Сот отырысына шақыру", "Судебная повестка", "Summons to a court hearing"),
    NoticeKind.HEARING_MOVED: ("Сот отырысы ауыстырылды", "Судебное заседание перенесено", "Court hearing moved"),
    NoticeKind.HEARING_CANCELLED: ("Сот отырысы болмайды", "Судебное заседание отменено", "Court hearing cancelled"),
    NoticeKind.CASE_ACCEPTED: ("Іс өндіріске қабылданды", "Дело принято к производству",
                               "Case accepted into proceedings"),
    NoticeKind.LEFT_WITHOUT_MOTION: ("Өтініш қозғалыссыз қалдырылды", "Заявление оставлено без движения",
                                     "Claim left without motion"),
    NoticeKind.JUDICIAL_ACT_ISSUED: ("Сот актісі шығарылды", "Вынесен судебный акт", "Judicial act issued"),
    NoticeKind.DOCUMENT_RECEIVED: ("Құжат келіп түсті", "Поступил документ", "Document received"),
    NoticeKind.HEARING_RECORDED: ("Сот отырысының жазбасы істе", "Запись судебного заседания приобщена к делу",
                                  "Hearing recording attached to the case"),
    NoticeKind.PAYMENT_RECEIVED: ("Төлем қабылданды", "Платёж получен", "Payment received"),
    NoticeKind.EXEMPTION_CONFIRMED: ("Баждан босату расталды", "Освобождение от пошлины подтверждено",
                                     "Exemption from the state duty confirmed"),
    NoticeKind.EXEMPTION_REFUSED: ("Баждан босату қабылданбады", "В освобождении от пошлины отказано",
                                   "Exemption from the state duty refused"),
    NoticeKind.FEE_REFUNDED: ("Мемлекеттік баж қайтарылды", "Государственная пошлина возвращена",
                              "State duty refunded"),
    NoticeKind.DEFERRAL_GRANTED: ("Бажды төлеу кейінге қалдырылды", "Уплата пошлины отсрочена",
                                  "Payment of the state duty deferred"),
    NoticeKind.DEFERRAL_REFUSED: ("Бажды кейінге қалдырудан бас тартылды", "В отсрочке уплаты пошлины отказано",
                                  "Deferral of the state duty refused"),
    NoticeKind.FEE_DUE_SOON: ("Бажды төлеу мерзімі жақындады", "Срок уплаты пошлины истекает",
                              "The state duty falls due soon"),
    NoticeKind.FEE_OVERDUE: ("Кейінге қалдырылған баж төленбеді", "Отсроченная пошлина не уплачена",
                             "Deferred state duty unpaid"),
}

_LABELS: dict[str, tuple[str, str, str]] = {
    "court": ("Сот", "Суд", "Court"),
    "case": ("Іс", "Дело", "Case"),
    "time": ("Уақыты", "Время", "Time"),
    "place": ("Орны", "Место", "Place"),
    "summoned": ("Шақырылатын тұлға", "Вызываемое лицо", "Person summoned"),
    "addressee": ("Алушы", "Адресат", "Addressee"),
    "capacity": ("Қатысу мәртебесі", "Процессуальное положение", "Capacity"),
    "served": (
        "Хабарлама кабинетте ашылған сәттен бастап табыс етілді деп саналады.",
        "Извещение считается врученным с момента его открытия в кабинете.",
        "This notice counts as served when you open it in your cabinet.",
    ),
    "open": ("Кабинетте ашу", "Открыть в кабинете", "Open in your cabinet"),
}

_LIMITS = {"title": 300, "court": 300, "case_number": 64, "capacity": 100, "place": 300, "addressee": 300}


@dataclass(frozen=True)
class NoticeContent:
    """The particulars of one notice to one person; refuses anything a notice cannot carry."""

    kind: NoticeKind
    title: str
    body: str
    addressee: str
    court: str | None = None
    case_number: str | None = None
    capacity: str | None = None
    when: datetime | None = None
    place: str | None = None
    language: str = "kk"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise NoticeInvalid(f"unknown language {self.language!r}", details={"field": "language"})
        if not isinstance(self.kind, NoticeKind):
            raise NoticeInvalid(f"unknown notice kind {self.kind!r}", details={"field": "kind"})
        if not self.title.strip():
            raise NoticeInvalid("a notice needs a title", details={"field": "title"})
        if not self.addressee.strip():
            raise NoticeInvalid("a notice needs an addressee", details={"field": "addressee"})
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if value is not None and len(value) > limit:
                raise NoticeInvalid(f"{name} is longer than {limit} characters", details={"field": name})
        if self.when is not None and self.when.tzinfo is None:
            raise NoticeInvalid("the time of a notice must carry a time zone", details={"field": "when"})
        if self.kind.summons and (self.when is None or not self.place):
            raise NoticeInvalid(f"a {self.kind.value} notice must say when and where",
                                details={"field": "when" if self.when is None else "place"})

    @classmethod
    def of(cls, kind: str, **fields: object) -> NoticeContent:
        try:
            parsed = NoticeKind(kind)
        except ValueError:
            raise NoticeInvalid(f"unknown notice kind {kind!r}", details={"field": "kind"}) from None
        return cls(kind=parsed, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Names:
    """One name in the three languages (a court's, a courtroom's place): the notice takes the reader's."""

    kk: str
    ru: str
    en: str

    def in_(self, language: str) -> str:
        return {"kk": self.kk, "ru": self.ru, "en": self.en}[language]


def format_time(when: datetime) -> str:
    return when.astimezone(COURT_TIME).strftime("%d.%m.%Y %H:%M (UTC+05:00)")


def capacity_in(capacity: str, language: int) -> str:
    """A known capacity code in the given language (the nominative, as a label's value); anything
    else exactly as the court wrote it."""
    return declension.name(capacity, LANGUAGES[language])


def particulars(content: NoticeContent, language: int) -> list[tuple[str, str]]:
    """The art. 128(2) lines of the notice in one language, as (label, value) pairs."""
    lines: list[tuple[str, str]] = []
    if content.court:
        lines.append((_LABELS["court"][language], content.court))
    if content.case_number:
        lines.append((_LABELS["case"][language], content.case_number))
    if content.when is not None:
        lines.append((_LABELS["time"][language], format_time(content.when)))
    if content.place:
        lines.append((_LABELS["place"][language], content.place))
    who = "summoned" if content.kind.summons else "addressee"
    lines.append((_LABELS[who][language], content.addressee))
    if content.capacity:
        lines.append((_LABELS["capacity"][language], capacity_in(content.capacity, language)))
    return lines


def heading(kind: NoticeKind, language: int) -> str:
    return _HEADINGS[kind][language]


@dataclass(frozen=True)
class EmailText:
    subject: str
    text: str


def render_email(content: NoticeContent, link: str) -> EmailText:
    """The e-mail, wholly in the reader's language: title, body, particulars, how service works, link."""
    language = LANGUAGES.index(content.language)
    parts = [content.title, ""]
    if content.body.strip():
        parts += [content.body.strip(), ""]
    parts.extend(f"{label}: {value}" for label, value in particulars(content, language))
    parts += ["", _LABELS["served"][language], f"{_LABELS['open'][language]}: {link}", ""]
    return EmailText(subject=" ".join(content.title.split()), text="\n".join(parts))


def render_sms(content: NoticeContent, link: str) -> str:
    """The SMS, in the reader's language: the title, the particulars and the link."""
    language = LANGUAGES.index(content.language)
    fields = "; ".join(f"{label}: {value}" for label, value in particulars(content, language))
    return f"{content.title}. {fields}.\n{link}"
