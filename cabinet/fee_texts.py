"""What a fee quote says to a person, in Kazakh, Russian and English: the rule, its article, the
formula and the MRP used — and, for a figure the Code's text did not confirm, that it is unverified.

Every fee row and every exemption has its title here in the three languages (a test keeps these
tables complete); the numbers in the formula are the quote's own, so the three texts cannot
disagree about the amount.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Protocol

from cabinet.fee_exemptions import Exemption
from cabinet.fee_kinds import CODE_NAMES
from cabinet.money import Money
from cabinet.mrp import MrpPeriod


class _Rule(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def article(self) -> str: ...


class FeeQuote(Protocol):
    """What the explanation reads of :class:`cabinet.fees.FeeQuote` (a protocol, so that this
    module, which ``fees`` imports, does not import ``fees`` back)."""

    @property
    def amount(self) -> Money: ...
    @property
    def rule(self) -> _Rule: ...
    @property
    def verified(self) -> bool: ...
    @property
    def on(self) -> date: ...
    @property
    def mrp(self) -> MrpPeriod: ...
    @property
    def cap_applied(self) -> bool: ...
    @property
    def exemption(self) -> Exemption | None: ...
    @property
    def formula(self) -> str: ...

logger = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
Texts = tuple[str, str, str]

RULE_TITLES: dict[str, Texts] = {
    "property_claim_individual": ("Жеке тұлғаның мүліктік талабы: талап сомасының 1 %, 10 000 АЕК-тен аспайды",
                                  "Имущественный иск физического лица: 1 % цены иска, не более 10 000 МРП",
                                  "Property claim of an individual: 1 % of the claim, at most 10,000 MRP"),
    "property_claim_legal_entity": ("Заңды тұлғаның мүліктік талабы: 3 %, 20 000 АЕК-тен аспайды",
                                    "Имущественный иск юридического лица: 3 % цены иска, не более 20 000 МРП",
                                    "Property claim of a legal entity: 3 % of the claim, at most 20,000 MRP"),
    "state_body_complaint_individual": ("Жеке тұлғаның мемлекеттік органның әрекетіне шағымы",
                                        "Жалоба физического лица на действия государственного органа",
                                        "Complaint of an individual against a state body or official"),
    "state_body_complaint_legal_entity": ("Заңды тұлғаның мемлекеттік органның әрекетіне шағымы",
                                          "Жалоба юридического лица на действия государственного органа",
                                          "Complaint of a legal entity against a state body or official"),
    "tax_audit_notice_individual": ("ЖК, шаруа қожалығы: салықтық/кедендік тексеру хабарламасына талап",
                                    "ИП, КФХ: иск об оспаривании уведомления налоговой/таможенной проверки",
                                    "Entrepreneur or farm: claim against a tax or customs audit notice"),
    "tax_audit_notice_legal_entity": ("Заңды тұлға: салықтық/кедендік тексеру хабарламасына талап",
                                      "Юридическое лицо: иск об оспаривании уведомления налоговой/таможенной проверки",
                                      "Legal entity: claim against a tax or customs audit notice"),
    "divorce_claim": ("Некені бұзу туралы талап", "Иск о расторжении брака", "Claim for dissolution of marriage"),
    "property_division_claim": ("Ерлі-зайыптылардың мүлкін бөлу туралы талап", "Иск о разделе имущества супругов",
                                "Claim for division of spouses' property"),
    "non_property_claim": ("Мүліктік емес талап", "Иск неимущественного характера", "Non-property claim"),
    "special_proceeding_application": ("Ерекше іс жүргізудегі арыз", "Заявление по делу особого производства",
                                       "Application in special proceedings"),
    "administrative_claim": ("Өзге әкімшілік талап", "Иной административный иск", "Other administrative claim"),
    "arbitral_set_aside": ("Төрелік шешімнің күшін жою туралы өтінішхат",
                           "Ходатайство об отмене арбитражного решения",
                           "Petition to set aside an arbitral award"),
    "court_order": ("Сот бұйрығын беру туралы арыз", "Заявление о вынесении судебного приказа",
                    "Application for a court order"),
    "duplicate_writ": ("Атқару парағының телнұсқасы", "Дубликат исполнительного листа",
                       "Duplicate writ of execution"),
    "award_enforcement": ("Төрелік немесе шетелдік сот шешімін мәжбүрлеп орындау парағы",
                          "Исполнительный лист на решение арбитража или иностранного суда",
                          "Writ enforcing an arbitral award or a foreign decision"),
    "copy_reissue": ("Сот актілері мен құжаттардың көшірмелерін қайта беру",
                     "Повторная выдача копий судебных актов и документов",
                     "Repeat issue of copies of judicial acts and case papers"),
    "bankruptcy": ("Заңды тұлғаны банкрот деп тану немесе оңалту", "Банкротство или реабилитация юридического лица",
                   "Bankruptcy or rehabilitation of a legal entity"),
    "personal_insolvency": ("Жеке тұлғаның төлем қабілеттілігін қалпына келтіру немесе банкроттығы",
                            "Восстановление платёжеспособности или банкротство физического лица",
                            "Restoration of solvency or bankruptcy of an individual"),
    "defamation_individual": ("Жеке тұлғаның ар-намысын қорғау: моральдық зиян",
                              "Защита чести физического лица: моральный вред",
                              "Defamation claim of an individual: moral damages"),
    "defamation_legal_entity": ("Заңды тұлғаның іскерлік беделі: залал",
                                "Деловая репутация юридического лица: убытки",
                                "Business-reputation claim of a legal entity: losses"),
    "constitutional_appeal": ("Азаматтың Конституциялық Сотқа өтініші", "Обращение гражданина в Конституционный Суд",
                              "Citizen's appeal to the Constitutional Court"),
    "mixed_claim_individual": ("Жеке тұлғаның мүліктік және мүліктік емес талабы",
                               "Иск физического лица с имущественным и неимущественным требованиями",
                               "Claim of an individual with property and non-property demands"),
    "mixed_claim_legal_entity": ("Заңды тұлғаның мүліктік және мүліктік емес талабы",
                                 "Иск юридического лица с имущественным и неимущественным требованиями",
                                 "Claim of a legal entity with property and non-property demands"),
    "appeal": ("Апелляциялық шағым", "Апелляционная жалоба", "Appellate complaint"),
    "cassation": ("Кассациялық өтінішхат", "Кассационная жалоба", "Cassation petition"),
    "procedural_filing": ("Өтінішхат, пікір немесе хаттамаға ескерту", "Ходатайство, отзыв или замечания на протокол",
                          "Motion, response or remarks on the record"),
    "procedural_application": ("Процестік арыз (кейінге қалдыру, қамтамасыз ету және т.б.)",
                               "Процессуальное заявление (отсрочка, обеспечение иска и др.)",
                               "Procedural application (deferral, securing a claim, etc.)"),
    "private_complaint": ("Жеке шағым", "Частная жалоба", "Private complaint"),
    "bailiff_complaint": ("Сот орындаушысының әрекетіне шағым", "Жалоба на действия судебного исполнителя",
                          "Complaint against a bailiff"),
    "criminal_proceedings": ("Қылмыстық іс бойынша құжаттар", "Документы по уголовному делу",
                             "Filings in criminal proceedings"),
    "administrative_offence": ("Әкімшілік құқық бұзушылық туралы іс бойынша шағым",
                               "Жалоба по делу об административном правонарушении",
                               "Complaint in an administrative-offence case"),
}

EXEMPTION_TEXTS: dict[str, Texts] = {
    "labour": ("Еңбек қатынастарынан туындайтын талаптар бойынша талапкерлер",
               "Истцы по требованиям из трудовых отношений", "Claimants in labour claims"),
    "copyright": ("Авторлар, орындаушылар және ұжымдық басқару ұйымдары",
                  "Авторы, исполнители и организации коллективного управления",
                  "Authors, performers and collective-management organisations"),
    "industrial_property": ("Өнертабыстар мен өнеркәсіптік үлгілердің авторлары",
                            "Авторы изобретений, полезных моделей и промышленных образцов",
                            "Authors of inventions, utility models and industrial designs"),
    "alimony": ("Алимент өндіру туралы талапкерлер", "Истцы о взыскании алиментов", "Claimants for alimony"),
    "harm_to_health": ("Денсаулыққа келтірілген зиян немесе асыраушының қайтыс болуы",
                       "Вред здоровью или смерть кормильца", "Harm to health or death of a breadwinner"),
    "crime_damage": ("Қылмыстан келтірілген материалдық зиян", "Материальный ущерб от уголовного правонарушения",
                     "Material damage from a criminal offence"),
    "criminal_alimony_documents": ("Қылмыстық және алимент істері бойынша құжаттар беру",
                                   "Выдача документов по уголовным и алиментным делам",
                                   "Documents in criminal and alimony cases"),
    "environmental_damage": ("Мемлекетке келтірілген экологиялық зиян", "Экологический ущерб государству",
                             "Environmental damage to the state"),
    "electoral_rights": ("Сайлау құқықтарын қорғау", "Защита избирательных прав", "Protection of electoral rights"),
    "public_interest": ("Басқа адамдардың немесе мемлекеттің мүддесі үшін жүгінушілер",
                        "Обращающиеся в интересах других лиц или государства",
                        "Applying for the rights of others or the state"),
    "veterans": ("Соғыс ардагерлері, оларға теңестірілгендер, тыл еңбеккерлері",
                 "Ветераны войны, приравненные к ним, ветераны боевых действий, труженики тыла",
                 "War veterans, persons equated to them, combat veterans, home-front workers"),
    "disability": ("Мүгедектігі бар адамдар және мүгедек баланың бір ата-анасы",
                   "Лица с инвалидностью и один из родителей ребёнка с инвалидностью",
                   "Persons with disabilities and one parent of a child with a disability"),
    "kandas": ("Азаматтық мәселелері бойынша қандастар", "Кандасы по вопросам гражданства", "Kandas on citizenship"),
    "prosecutor": ("Прокуратура органдары", "Органы прокуратуры", "Prosecution bodies"),
    "state_institution": ("Мемлекеттік мекемелер мен мемлекеттік мектептер",
                          "Государственные учреждения и государственные школы",
                          "State institutions and state schools"),
    "rehabilitation": ("Заңсыз соттау, қамау немесе әкімшілік қамаудан келтірілген зиян",
                       "Вред от незаконного осуждения, содержания под стражей или ареста",
                       "Harm from unlawful conviction, custody or arrest"),
    "environmental_protection": ("Қоршаған ортаны қорғау туралы талаптар", "Иски об охране окружающей среды",
                                 "Environmental-protection claims"),
    "unfair_supplier": ("Жосықсыз өнім берушілер тізіліміне енгізу", "Включение в реестр недобросовестных поставщиков",
                        "Listing unfair procurement suppliers"),
    "vocational_school": ("Техникалық және кәсіптік білім беру ұйымдары",
                          "Организации технического и профессионального образования", "Vocational schools"),
    "budget_loan_agent": ("Бюджеттік кредиттер агенттері", "Агенты по бюджетным кредитам", "Budget-loan agents"),
    "disabled_persons_association": ("Мүгедектердің қоғамдық бірлестіктері", "Общественные объединения инвалидов",
                                     "Associations of persons with disabilities"),
    "compulsory_insurance": ("Міндетті сақтандыру бойынша талапкерлер", "Истцы по обязательному страхованию",
                             "Compulsory-insurance claimants"),
    "national_bank": ("Қазақстан Ұлттық Банкі", "Национальный Банк Казахстана", "National Bank of Kazakhstan"),
    "ombudsman": ("Адам құқықтары жөніндегі уәкіл", "Уполномоченный по правам человека", "Human Rights Commissioner"),
    "liquidator": ("Тарату комиссиялары", "Ликвидационные комиссии", "Liquidation commissions"),
    "bankruptcy_manager": ("Банкроттық және оңалту басқарушылары", "Банкротные и реабилитационные управляющие",
                           "Bankruptcy and rehabilitation managers"),
    "state_bank": ("Мемлекеттік даму банктері", "Государственные банки развития", "State development banks"),
    "bondholder_representative": ("Облигация ұстаушылардың өкілдері", "Представители держателей облигаций",
                                  "Bondholder representatives"),
    "pension_fund": ("Бірыңғай жинақтаушы зейнетақы қоры", "Единый накопительный пенсионный фонд",
                     "Unified accumulative pension fund"),
    "police": ("Ішкі істер органдары", "Органы внутренних дел", "Police bodies"),
    "bad_loan_company": ("Несие портфелін сауықтыру ұйымы", "Организация по улучшению кредитного портфеля",
                         "Bad-loan company"),
    "deposit_fund": ("Қазақстанның депозиттерге кепілдік беру қоры", "Казахстанский фонд гарантирования депозитов",
                     "Kazakhstan Deposit Insurance Fund"),
}

_CODE_NAMES: Texts = CODE_NAMES
_LABELS: dict[str, Texts] = {
    "article": ("Негіз", "Основание", "Legal basis"),
    "formula": ("Есептеу", "Расчёт", "Formula"),
    "amount": ("Сома", "Сумма", "Amount"),
    "mrp": ("АЕК", "МРП", "MRP"),
    "mrp_used": ("Төлем күні {paid} күшіндегі АЕК {amount} ({since} бастап)",
                 "МРП {amount}, действующий на дату оплаты {paid} (с {since})",
                 "MRP {amount} in force on the payment date {paid} (since {since})"),
    "cap": ("шекті мөлшер қолданылды", "применён предельный размер", "the cap was applied"),
    "exempt": ("Босатылған: {who} ({article}); босатусыз: {amount}",
               "Освобождение: {who} ({article}); без освобождения: {amount}",
               "Exempt: {who} ({article}); without the exemption: {amount}"),
    "no_duty": ("Мемлекеттік баж алынбайды", "Государственная пошлина не взимается", "No state duty"),
}
_WORDS: dict[str, Texts] = {
    "(no appellate rate)": ("(апелляция үшін мөлшерлеме белгіленбеген)", "(ставка для апелляции не установлена)",
                            "(no appellate rate)"),
    "(not an object of the duty)": ("(баж салу объектісі емес)", "(не является объектом пошлины)",
                                    "(not an object of the duty)"),
    ", one of ": (", бірі ", ", одна из ", ", one of "),
    "CPC": ("АІЖК", "ГПК", "CPC"),
    "MRP": ("АЕК", "МРП", "MRP"), "cap": ("шегі", "предел", "cap"), "pages": ("бет", "стр.", "pages"),
    "art.": ("бап", "ст.", "art."),
}
_WARNING: Texts = (
    "Бұл сома Кодекс мәтінімен расталмаған: төлер алдында тексеріңіз.",
    "Эта сумма не подтверждена текстом Кодекса: проверьте её перед оплатой.",
    "This amount is not confirmed by the Code's text: check it before paying.",
)


def _localise(text: str, index: int) -> str:
    localised = text.replace("Tax Code of the RK No. 214-VIII", _CODE_NAMES[index])
    for word, texts in _WORDS.items():
        localised = localised.replace(word, texts[index])
    return localised


def unverified_warning() -> dict[str, str]:
    return dict(zip(LANGUAGES, _WARNING, strict=True))


def explain(fee: FeeQuote) -> dict[str, str]:
    """One paragraph per language: rule, article, formula (with the cap), MRP and date, exemption."""
    texts: dict[str, str] = {}
    for index, language in enumerate(LANGUAGES):
        label = {name: value[index] for name, value in _LABELS.items()}
        parts = [RULE_TITLES[fee.rule.id][index] + ".", f"{label['article']}: {_localise(fee.rule.article, index)}."]
        if fee.formula == "0":
            parts.append(label["no_duty"] + ".")
        else:
            parts.append(f"{label['formula']}: {_localise(fee.formula, index)}"
                         + (f" ({label['cap']})." if fee.cap_applied else "."))
        parts.append(label["mrp_used"].format(amount=fee.mrp.amount.format(), paid=fee.on.strftime("%d.%m.%Y"),
                                              since=fee.mrp.starts.strftime("%d.%m.%Y")) + ".")
        if fee.exemption is not None:
            who = EXEMPTION_TEXTS[fee.exemption.code][index]
            without = fee.formula.rsplit("= ", 1)[-1] if "=" in fee.formula else fee.amount.format()
            parts.append(label["exempt"].format(who=who, article=_localise(fee.exemption.article, index),
                                                amount=without) + ".")
        parts.append(f"{label['amount']}: {fee.amount.format()}.")
        if not fee.verified:
            parts.append(_WARNING[index])
        texts[language] = " ".join(parts)
    return texts
