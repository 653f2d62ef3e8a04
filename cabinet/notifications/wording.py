"""The words of every notice, in Kazakh, Russian and English — pure: templates and the facts they take.

A service that issues a notice passes facts (numbers, dates, amounts, the reason a clerk typed),
never sentences: the sentences are here, one per kind and language, so a notice reaches a person
wholly in the language they chose (``cabinet.identity.language``) — title, body and particulars —
and not, as before, an English title over a Russian body. The facts are stored with the notice,
so the cabinet can show the same notice in whatever language the page is read in.

Each kind names the facts it needs; a missing one is a :class:`NoticeInvalid`, not a sentence with
a hole. Optional facts add a sentence of their own when present (a reason, a refund, a link).
The person's role comes in declined (:mod:`cabinet.notifications.declension`): «в качестве
ответчика», «жауапкер ретінде». An ``article`` is the bare reference to the Tax Code ("135",
"120(4)(4)"); the code's name is written in the reader's language around it.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from cabinet.notifications import declension
from cabinet.notifications.errors import NoticeInvalid
from cabinet.notifications.notices import NoticeKind

log = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
FACT_LIMIT = 1000
"""The longest fact (a reason typed by a clerk or a judge) a notice carries."""

K = NoticeKind

_TITLES: dict[NoticeKind, tuple[str, str, str]] = {
    K.FILING_REGISTERED: ("{incoming_number} өтініші тіркелді", "Обращение {incoming_number} зарегистрировано",
                          "Filing {incoming_number} registered"),
    K.FILING_RETURNED: ("{incoming_number} өтініші қайтарылды", "Обращение {incoming_number} возвращено",
                        "Filing {incoming_number} returned"),
    K.JUDGE_ASSIGNED: ("{case_number} ісі бойынша судья тағайындалды", "По делу {case_number} назначен судья",
                       "Judge assigned to case {case_number}"),
    K.HEARING_SCHEDULED: ("Сот отырысына шақыру: {case_number} ісі", "Судебная повестка по делу {case_number}",
                          "Summons to a court hearing in case {case_number}"),
    K.HEARING_MOVED: ("{case_number} ісі бойынша сот отырысы ауыстырылды",
                      "Судебное заседание по делу {case_number} перенесено",
                      "Court hearing in case {case_number} moved"),
    K.HEARING_CANCELLED: ("{case_number} ісі бойынша сот отырысы болмайды",
                          "Судебное заседание по делу {case_number} отменено",
                          "Court hearing in case {case_number} cancelled"),
    K.CASE_ACCEPTED: ("{case_number} ісі өндіріске қабылданды", "Дело {case_number} принято к производству",
                      "Case {case_number} accepted into proceedings"),
    K.LEFT_WITHOUT_MOTION: ("{case_number} ісі: өтініш қозғалыссыз қалдырылды",
                            "Дело {case_number}: заявление оставлено без движения",
                            "Case {case_number}: claim left without motion"),
    K.JUDICIAL_ACT_ISSUED: ("{case_number} ісі бойынша сот актісі шығарылды",
                            "По делу {case_number} вынесен судебный акт",
                            "Judicial act issued in case {case_number}"),
    K.DOCUMENT_RECEIVED: ("{case_number} ісі бойынша құжат келіп түсті", "По делу {case_number} поступил документ",
                          "Document received in case {case_number}"),
    K.PAYMENT_RECEIVED: ("Төлем қабылданды: {reference}", "Платёж получен: {reference}",
                         "Payment received: {reference}"),
    K.HEARING_RECORDED: ("{case_number} ісі: сот отырысының жазбасы іске қосылды",
                         "Дело {case_number}: запись судебного заседания приобщена к делу",
                         "Case {case_number}: hearing recording attached"),
    K.EXEMPTION_CONFIRMED: ("{incoming_number}: мемлекеттік баждан босату расталды",
                            "{incoming_number}: освобождение от пошлины подтверждено",
                            "{incoming_number}: exemption from the state duty confirmed"),
    K.EXEMPTION_REFUSED: ("{incoming_number}: мемлекеттік баждан босатудан бас тартылды",
                          "{incoming_number}: в освобождении от пошлины отказано",
                          "{incoming_number}: exemption from the state duty refused"),
    K.FEE_REFUNDED: ("{incoming_number}: мемлекеттік баж қайтарылды",
                     "{incoming_number}: государственная пошлина возвращена",
                     "{incoming_number}: state duty refunded"),
    K.DEFERRAL_GRANTED: ("{incoming_number}: мемлекеттік бажды төлеу кейінге қалдырылды",
                         "{incoming_number}: уплата пошлины отсрочена",
                         "{incoming_number}: payment of the state duty deferred"),
    K.DEFERRAL_REFUSED: ("{incoming_number}: бажды кейінге қалдырудан бас тартылды",
                         "{incoming_number}: в отсрочке уплаты пошлины отказано",
                         "{incoming_number}: deferral of the state duty refused"),
    K.FEE_DUE_SOON: ("{incoming_number}: мемлекеттік бажды төлеу мерзімі — {due_date}",
                     "{incoming_number}: срок уплаты пошлины — {due_date}",
                     "{incoming_number}: the state duty is due {due_date}"),
    K.FEE_OVERDUE: ("{incoming_number}: кейінге қалдырылған баж төленбеді",
                    "{incoming_number}: отсроченная пошлина не уплачена",
                    "{incoming_number}: deferred state duty unpaid"),
}

_JUDGE_TITLE = ("Сізге {case_number} ісі берілді", "Вам распределено дело {case_number}",
                "Case {case_number} assigned to you")

_BODIES: dict[NoticeKind, tuple[str, str, str]] = {
    K.FILING_REGISTERED: ("{incoming_number} өтінішіңіз {case_number} ісі бойынша тіркелді.",
                          "Ваше обращение {incoming_number} зарегистрировано по делу {case_number}.",
                          "Your filing {incoming_number} was registered in case {case_number}."),
    K.FILING_RETURNED: ("Сот {incoming_number} өтінішіңізді қайтарды. Себебі: {reason}",
                        "Суд вернул ваше обращение {incoming_number}. Причина: {reason}",
                        "The court returned your filing {incoming_number}. Reason: {reason}"),
    K.JUDGE_ASSIGNED: ("{case_number} ісі бойынша судья: {judge}.", "Дело {case_number} распределено, судья: {judge}.",
                       "Case {case_number} is assigned to judge {judge}."),
    K.HEARING_SCHEDULED: ("Сіз {case_number} ісі бойынша сот отырысына{as_role} шақырыласыз.",
                          "Вы вызываетесь в судебное заседание по делу {case_number}{as_role}.",
                          "You are summoned to a court hearing in case {case_number}{as_role}."),
    K.HEARING_MOVED: ("{case_number} ісі бойынша сот отырысы ауыстырылды. Сіз бұрынғыдай{as_role} шақырыласыз; "
                      "жаңа уақыты мен орны төменде көрсетілген.",
                      "Судебное заседание по делу {case_number} перенесено. Вы по-прежнему вызываетесь{as_role}; "
                      "новые время и место указаны ниже.",
                      "The court hearing in case {case_number} is moved. You are still summoned{as_role}; "
                      "the new time and place are below."),
    K.HEARING_CANCELLED: ("{case_number} ісі бойынша сот отырысы болмайды; оған келудің қажеті жоқ.",
                          "Судебное заседание по делу {case_number} отменено; являться на него не нужно.",
                          "The court hearing in case {case_number} is cancelled; you need not attend."),
    K.CASE_ACCEPTED: ("Судья {case_number} ісін өндіріске қабылдады.",
                      "Судья принял дело {case_number} к производству.",
                      "The judge accepted case {case_number} into proceedings."),
    K.LEFT_WITHOUT_MOTION: ("Өтініш қозғалыссыз қалдырылды. Себебі: {reason}. Кемшіліктерді {deadline} жылға дейін "
                            "жою қажет.",
                            "Заявление оставлено без движения. Причина: {reason}. Недостатки необходимо устранить "
                            "до {deadline}.",
                            "The claim is left without motion. Reason: {reason}. Remedy the defects by {deadline}."),
    K.JUDICIAL_ACT_ISSUED: ("Сот {case_number} ісі бойынша сот актісін шығарды: {act_title}. Ол кабинетіңізде.",
                            "Суд вынес по делу {case_number} судебный акт: {act_title}. Он в вашем кабинете.",
                            "The court issued a judicial act in case {case_number}: {act_title}. "
                            "It is in your cabinet."),
    K.DOCUMENT_RECEIVED: ("{case_number} ісі бойынша {incoming_number} құжаты келіп түсті (берген: {filer}). "
                          "Ол кабинетіңізде.",
                          "По делу {case_number} поступил документ {incoming_number} (подан: {filer}). "
                          "Он в вашем кабинете.",
                          "Document {incoming_number} was filed in case {case_number} by {filer}. "
                          "It is in your cabinet."),
    K.PAYMENT_RECEIVED: ("{reference} бойынша {amount} төлемі қабылданды.",
                         "Платёж {amount} по {reference} получен.",
                         "The payment of {amount} towards {reference} was received."),
    K.HEARING_RECORDED: ("Сот отырысының мөрленген жазбасы (№ {recording_id}) іс материалдарында.",
                         "Опечатанная запись судебного заседания (№ {recording_id}) приобщена к материалам дела.",
                         "The sealed recording of the hearing (No. {recording_id}) is in the case file."),
    K.EXEMPTION_CONFIRMED: ("Сот {incoming_number} өтініші бойынша мемлекеттік баждан босатуды растады.",
                            "Суд подтвердил освобождение от государственной пошлины по обращению {incoming_number}.",
                            "The court confirmed your exemption from the state duty for {incoming_number}."),
    K.EXEMPTION_REFUSED: ("Сот {incoming_number} өтініші бойынша мемлекеттік баждан босатудан бас тартты. Себебі: "
                          "{reason}. Өтініш тіркелуі үшін {reference} бойынша {amount} төлеңіз.",
                          "Суд отказал в освобождении от государственной пошлины по обращению {incoming_number}. "
                          "Причина: {reason}. Чтобы обращение было зарегистрировано, оплатите {amount} "
                          "по {reference}.",
                          "The court refused your exemption from the state duty for {incoming_number}. Reason: "
                          "{reason}. Pay {amount} towards {reference} for the filing to be registered."),
    K.FEE_REFUNDED: ("{incoming_number} өтініші бойынша төленген мемлекеттік баждың {amount} сомасы қайтарылады "
                     "(ҚР Салық кодексі, {article}-бап); ақша төлем жасалған шотқа түседі, түбіртек "
                     "кабинеттегі төлемнің астында.",
                     "{amount} государственной пошлины, уплаченной по обращению {incoming_number}, возвращается "
                     "(Налоговый кодекс РК, ст. {article}); деньги поступят на счёт, с которого была оплата, "
                     "квитанция — в кабинете "
                     "под платежом.",
                     "{amount} of the state duty paid for {incoming_number} is refunded (Tax Code of the RK, "
                     "art. {article}); it goes back "
                     "to the account it was paid from, and the receipt is under the payment in your cabinet."),
    K.DEFERRAL_GRANTED: ("Судья {incoming_number} өтініші бойынша {amount} мемлекеттік бажды төлеуді кейінге "
                         "қалдырды (ҚР Салық кодексі, {article}-бап); оны {due_date} жылға дейін {reference} "
                         "бойынша төлеңіз.",
                         "Судья отсрочил уплату государственной пошлины {amount} по обращению {incoming_number} "
                         "(Налоговый кодекс РК, ст. {article}); оплатите её по {reference} до {due_date}.",
                         "The judge deferred the state duty of {amount} for {incoming_number} (Tax Code of "
                         "the RK, art. {article}); pay it "
                         "towards {reference} by {due_date}."),
    K.DEFERRAL_REFUSED: ("Судья {incoming_number} өтініші бойынша {amount} мемлекеттік бажды төлеуді кейінге "
                         "қалдырудан бас тартты (ҚР Салық кодексі, {article}-бап); оны {due_date} жылға дейін "
                         "{reference} бойынша төлеңіз.",
                         "Судья отказал в отсрочке уплаты государственной пошлины {amount} по обращению "
                         "{incoming_number} (Налоговый кодекс РК, ст. {article}); оплатите её по {reference} "
                         "до {due_date}.",
                         "The judge refused to defer the state duty of {amount} for {incoming_number} (Tax "
                         "Code of the RK, art. {article}); "
                         "pay it towards {reference} by {due_date}."),
    K.FEE_DUE_SOON: ("{reference} бойынша {amount} сомасын {due_date} жылға дейін төлеңіз (ҚР Салық кодексі, "
                     "{article}-бап).",
                     "Оплатите {amount} по {reference} до {due_date} (Налоговый кодекс РК, ст. {article}).",
                     "Pay {amount} towards {reference} by {due_date} (Tax Code of the RK, art. {article})."),
    K.FEE_OVERDUE: ("{case_number} ісі бойынша {incoming_number} өтінішінің {amount} бажы {due_date} жылға дейін "
                    "төленуі тиіс еді, бірақ төленбеді.",
                    "Пошлина {amount} по обращению {incoming_number} в деле {case_number} подлежала уплате "
                    "до {due_date} и не уплачена.",
                    "The duty of {amount} for {incoming_number} in case {case_number} was due {due_date} "
                    "and is not paid."),
}

_OPTIONAL: dict[str, tuple[str, str, str]] = {
    "refunded": ("{refunded} мемлекеттік баж қайтарылады.", "Государственная пошлина {refunded} возвращается.",
                 "The state duty of {refunded} is refunded."),
    "reason": ("Себебі: {reason}", "Причина: {reason}", "Reason: {reason}"),
    "invitation_url": ("Күнтізбеге шақыру: {invitation_url}", "Приглашение для календаря: {invitation_url}",
                       "Calendar invitation: {invitation_url}"),
    "join_url": ("Онлайн қосылу: {join_url}", "Подключение онлайн: {join_url}", "Join online: {join_url}"),
}
"""Sentences added after the body when their fact is given (and the body does not already use it)."""

_DERIVED = frozenset({"as_role"})
_BREAKS = re.compile(r"[ \t\r\n\v\f]+")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def required(kind: NoticeKind) -> frozenset[str]:
    """The facts a notice of this kind cannot go without."""
    names: set[str] = set()
    for template in (*_TITLES[kind], *_BODIES[kind]):
        names |= _fields(template)
    return frozenset(names - _DERIVED)


def optional(kind: NoticeKind) -> frozenset[str]:
    return frozenset(_OPTIONAL) - required(kind)


@dataclass(frozen=True)
class Wording:
    title: str
    body: str


def checked_facts(kind: NoticeKind, facts: Mapping[str, object]) -> dict[str, str]:
    """The facts as strings, refusing a missing, unknown, empty or overlong one."""
    missing = sorted(required(kind) - set(facts))
    if missing:
        raise NoticeInvalid(f"a {kind.value} notice needs {', '.join(missing)}", details={"field": missing[0]})
    unknown = sorted(set(facts) - required(kind) - optional(kind))
    if unknown:
        raise NoticeInvalid(f"a {kind.value} notice does not say {', '.join(unknown)}", details={"field": unknown[0]})
    clean: dict[str, str] = {}
    for name, value in facts.items():
        text = _BREAKS.sub(" ", str(value)).strip()  # no-break spaces (money, dates) are kept
        if not text:
            if name in required(kind):
                raise NoticeInvalid(f"{name} of a notice is empty", details={"field": name})
            continue
        if len(text) > FACT_LIMIT:
            raise NoticeInvalid(f"{name} is longer than {FACT_LIMIT} characters", details={"field": name})
        clean[name] = text
    return clean


def word(kind: NoticeKind, language: str, facts: Mapping[str, str], capacity: str | None = None) -> Wording:
    """The notice's title and body in one language; ``facts`` as :func:`checked_facts` left them.

    ``capacity`` is the person's role in the case; a judge being assigned a case is told so in its
    own words, and a summons says in what capacity the person is called, declined.
    """
    index = LANGUAGES.index(language)
    values = dict(facts)
    known = capacity is not None and declension.known(capacity)
    values["as_role"] = f" {declension.in_capacity(capacity, language)}" if capacity and known else ""
    title_template = _JUDGE_TITLE if kind is K.JUDGE_ASSIGNED and capacity == "judge" else _TITLES[kind]
    title = title_template[index].format_map(values)
    sentences = [_BODIES[kind][index].format_map(values)]
    used = required(kind)
    sentences += [_OPTIONAL[name][index].format_map(values) for name in _OPTIONAL
                  if name in facts and name not in used]
    return Wording(title=title[:300], body="\n".join(sentences))
