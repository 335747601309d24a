"""Noun-phrase patterns: units, roles, meetings, systems, schemes and orders no gazetteer lists.

A phrase is found by its head noun ("team", "officers", "board", "scheme",
"order") and the modifiers before it, walking back until a word that cannot
start a name (a determiner, a verb, an adverb).
"""
from __future__ import annotations

import re

from graph.text import singular

WORD = r"[A-Za-z][\w'’-]*"

_UNIT_HEADS = {"team", "unit", "department", "hub", "squad", "desk", "directorate", "command", "bureau", "cell",
               "centre"}
_PLACE_CENTRES = {"town", "city", "shopping", "village", "district", "county", "retail", "leisure", "community"}
_ROLE_HEADS = {"officer", "staff", "manager", "investigator", "adviser", "advisor", "coordinator", "co-ordinator",
               "analyst", "sergeant", "inspector", "nurse", "worker", "practitioner", "commander",
               "handler", "dispatcher", "detective", "constable", "leader", "lead", "chair", "registrar"}
_MEETING_HEADS = {"meeting", "board", "panel", "conference", "forum", "clinic"}
_SYSTEM_HEADS = {"system", "database", "app", "network", "tag", "platform"}
# organisations named by a common noun: "children's services", "local safeguarding partnership", "NHS trust"
_PARTNER_HEADS = {"service": "agency", "services": "agency", "partnership": "agency", "trust": "health",
                  "council": "local government",
                  "authority": "local government", "university": "education", "college": "education",
                  "hospital": "health", "charity": "voluntary", "agency": "agency"}
# words that make a "service" an organisation, and modifiers a partner name keeps though they are generic elsewhere
_SERVICE_MODS = {"children's", "adult", "adults'", "social", "health", "mental", "youth", "offending", "probation",
                 "ambulance", "rescue", "fire", "prison", "education", "housing", "victim", "victims'", "support",
                 "care", "emergency", "council", "substance", "drug", "alcohol", "treatment", "advocacy"}
_SCOPE_MODS = {"local", "regional", "national", "joint"}
_PARTNER_MODS = {"local", "regional", "national", "joint", "children's", "women's", "people's", "victims'",
                 "adults'", "young"}
# sentence openers and determiners that are never the start of an organisation's name
_LEADING = ("The", "A", "An", "Its", "Their", "Our", "This", "These", "Both", "Each", "All", "In", "At", "By",
            "With", "From", "For", "And", "Of", "When", "While", "Where", "Although", "However", "Since", "As",
            "We", "It", "They", "Some", "Most", "Many", "Local", "Regional")
_SCHEME_HEADS = {"scheme", "programme", "strategy", "model", "framework", "initiative", "profile", "plan",
                 "protocol", "process", "assessment", "approach"}
_GROUP_MODS = {"working", "action", "steering", "tasking", "coordination", "co-ordination", "co-ordinating",
               "coordinating", "strategic", "management", "advisory", "reference", "scrutiny"}
_ORDER_HEADS = {"order", "notice", "injunction", "warrant"}
# modifiers that never start a name ("a large community safety team" -> "community safety team")
_GENERIC = set("""a an the its their his her our your this that these those each every all any some most many more
other another such same new old existing current remaining dedicated specialist several various separate
large small big larger smaller central different relevant appropriate additional extra further single
multiple individual certain own both only just also previous former recent senior junior experienced
trained untrained capable highly well good better best poor key main overall whole wider further specific
frontline front-line uniformed armed local regional national internal external joint shared effective
ineffective proactive reactive overstretched busy full part-time full-time one two three four five six
seven eight nine ten dedicated designated named force force's forces' police police's which who whose
where when while if as at by for from in into of on onto to with within without and or but not no nor
is are was were be been being has have had do does did can could will would should may might must
there here than then so very too although though whereas because since until unless including especially
particularly namely like through across among between about around against alongside via per towards toward
upon during after before under over near beyond despite enough right second set clear regular accessible
visible active strong weak limited sufficient insufficient adequate robust consistent inconsistent
structured wider broader""".split())
_VERBS = set("""identify identifies remove removes allocate allocates ensure ensures attend attends enhance
enhances facilitate facilitates provide provides use uses make makes take takes help helps give gives allow
allows need needs want wants hold holds run runs guide guides support supports manage manages lead leads
assign assigns review reviews train trains create creates develop develops introduce introduces appoint
appoints employ employs recruit recruits deploy deploys task tasks brief briefs inform informs meet meets
consider considers include includes involve involves contact contacts see sees told tell tells ask asks
enforce enforces execute executes issue issues apply applies obtain obtains breach breaches serve serves seek
seeks grant grants able unable given taken seen known chosen shown written driven fund funds commission
commissions""".split())
_NOUNLIKE = {"troubled", "organised", "integrated", "protected", "specialised", "centralised", "dedicated",
             "policing", "offending", "housing", "safeguarding", "handling", "prisoner-handling", "training",
             "tasking", "co-ordinating", "coordinating", "planning", "licensing", "problem-solving", "working",
             "recording", "monitoring", "screening", "investigating", "learning", "sentencing", "engineering",
             "trafficking", "profiling", "missing", "exploited", "vetting", "neighbourhood", "protecting"}
_VERB_NOUNS = {"support", "contact", "review"}  # verbs that are nouns inside a name ("victim support team")
_LY_NOUNS = {"early", "family", "elderly", "friendly", "assembly"}  # "-ly" words that can start a name


def _np_candidates(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, phrase, type, kind) for names found by their head noun and its modifiers."""
    out = []
    for m in re.finditer(r"(?<![\w-])(" + WORD + r")(?![\w-])", text):
        h = singular(m.group(1).lower())
        typ, kind = _type_of_head(h)
        if typ is None:
            continue
        mods, pos = _modifiers(text, m.start(), partner=typ == "partner")
        if typ in ("partner", "programme") and (_APPOSITIVE.search(text[:pos]) or _NAME_AFTER.match(text[m.end():])):
            continue  # "Paladin, a stalking advocacy charity", "a data platform, Atlas,": says what a named one is
        if mods and _keeps(typ, kind, h, mods):
            end = m.end()
            if h == "charity" and all(x[:1].isupper() for x in mods):  # "the Stonewall charity" -> "Stonewall"
                end = pos + len(" ".join(mods))
            out.append((pos, end, text[pos:end], typ, kind or ""))
    return out


_APPOSITIVE = re.compile(r"[A-Z][\w'’&-]*,\s+(?:a|an)\s+(?:[\w'’-]+\s+){0,3}$")
_NAME_AFTER = re.compile(r",\s+[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*){0,2}\s*[,.;]")


def _modifiers(text: str, pos: int, partner: bool = False) -> tuple[list[str], int]:
    """The words before a head noun that belong to its name, walking back until one that cannot."""
    mods: list[str] = []
    for _ in range(4):
        mm = re.search(r"(?:^|(?<=\s))(" + WORD + r"|\d+[A-Za-z]+)\s+$", text[:pos])
        if not mm:
            break
        w = mm.group(1)
        lw = w.lower().replace("’", "'")
        if partner and mods and mods[0][:1].islower() and w[:1].isupper() and not w.isupper():
            break  # "County Council children's services": a name before a common-noun partner is another one
        if partner and mods and mods[0][:1].isupper() and w[:1].islower():
            break  # "the charity Safe Haven Partnership": a description before a proper name is not part of it
        if not partner and mods and lw in {"regional", "national", "joint"}:
            mods.insert(0, w)  # "regional prison liaison unit": the scope opens a unit's name
            pos = mm.start(1)
            break
        if partner and lw in _PARTNER_MODS:
            mods.insert(0, w)  # "local safeguarding partnership", "children's services"
            pos = mm.start(1)
            if lw in _SCOPE_MODS:
                break  # "local", "regional" open the name
            continue
        if not partner and lw in {"children's", "women's", "victims'", "young"}:
            mods.insert(0, w)  # "multi-agency children's hub"
            pos = mm.start(1)
            continue
        if re.search(r"['’]$", w):  # "councils' children's services": the owner is another organisation
            break  # the end of a quoted name ("'Safe Car Wash' app"): not a modifier
        if lw in _VERB_NOUNS:
            mods.insert(0, w)  # "victim support team"; dropped below if nothing names it ("to support officers")
            pos = mm.start(1)
            continue
        if lw == "help" and re.search(r"\b[Ee]arly\s+$", text[:mm.start(1)]):
            mods.insert(0, w)  # "early help team": a noun here, though "help" is a verb elsewhere
            pos = mm.start(1)
            continue
        if lw in _GENERIC or lw in _VERBS or lw.endswith("'s") or (lw.endswith("ly") and lw not in _LY_NOUNS) \
                or (lw.endswith("ed") and lw not in _NOUNLIKE) or (lw.endswith("ing") and lw not in _NOUNLIKE):
            if lw == "and" and mods and pos > 0:
                prev = re.search(r"(" + WORD + r")\s+$", text[:mm.start(1)])
                if prev and prev.group(1).lower() not in _GENERIC | _VERBS and not prev.group(1)[:1].isupper() \
                        and _type_of_head(singular(prev.group(1).lower()))[0] is None:  # not "notices and order"
                    mods.insert(0, w)
                    pos = mm.start(1)
                    continue
            break
        mods.insert(0, w)
        pos = mm.start(1)
    while mods and mods[0].lower() in {"and", *_VERB_NOUNS}:
        pos += len(mods.pop(0)) + 1
    return mods, pos


def _keeps(typ: str, kind: str | None, h: str, mods: list[str]) -> bool:
    """Filters that keep ordinary phrases out: places before roles, unnamed generic plans, services."""
    if h == "centre" and mods[-1].lower() in _PLACE_CENTRES:
        return False  # "the town centre" is a place
    if typ == "role" and all(x[:1].isupper() and not x.isupper() for x in mods):
        return False  # "Kent officers": a place, not a role
    if typ == "programme" and h == "group" and mods[-1].lower() not in _GROUP_MODS:
        return False  # "organised crime group" is people, not a meeting
    if typ == "legislation" and all(m.lower() in {"public", "court", "an", "the"} for m in mods):
        return False  # "public order" policing, "a court order" in general
    if typ == "partner" and all(m.lower() in _SCOPE_MODS | {"partner", "multi-agency", "and"} for m in mods):
        return False  # "local partnership", "partner agency": a kind of organisation, not one named
    organisational = mods[0][:1].isupper() or any(m.lower().replace("’", "'") in _SERVICE_MODS for m in mods)
    if typ == "partner" and h in ("service", "services") and not organisational:
        return False  # "a consistent service" is not an organisation
    if typ == "programme" and h in {"approach", "plan", "process", "assessment", "profile"} \
            and not (mods[0][:1].isupper() or any(c.isdigit() for c in mods[0])):
        return False  # too generic unless named ("4P plan", "Modern Crime Prevention Strategy")
    return True


# Proper names of organisations: capitalised words (and, of, the, for, & between them) ending in a head.
_ORG_HEADS = {
    "Council": "local government", "Authority": "local government", "University": "education",
    "College": "education", "School": "education", "Trust": "health", "Hospital": "health",
    "Service": "agency", "Services": "agency", "Commissioner": "government", "Office": "government",
    "Partnership": "agency", "Agency": "agency", "Commission": "government", "Charity": "voluntary",
    "Society": "voluntary", "Foundation": "voluntary", "Prison": "justice", "Court": "justice",
    "Association": "voluntary", "Board": "agency", "Group": "agency", "Company": "justice", "Unit": "agency",
    "Team": "agency", "Teams": "agency", "Panel": "government", "Network": "agency", "Forum": "agency",
}
# heads that name an organisation only after certain words ("Integrated Care Board", "Clinical Commissioning
# Group", "Community Rehabilitation Company", "Regional Organised Crime Unit", "Youth Offending Team");
# elsewhere ("Force Performance Board", "Economic Crime Unit") they name the force's own or nothing
_HEAD_NEEDS = {"Board": r"\b(?:Care|Health|Wellbeing|Safeguarding|Children|Adults|Parole|Justice|Partnership)\s+Board$",
               "Panel": r"\bCrime\s+Panel$",
               "Forum": r"\b(?:Resilience|Criminal\s+Justice|Safeguarding|Partnership)\s+Forum$",
               "Network": r"\bViolence\s+Reduction\s+Network$",
               "Group": r"\b(?:Commissioning|Housing)\s+Group$",
               "Company": r"\bRehabilitation\s+Company$",
               "Unit": r"\b(?:Regional|Special Operations|Violence Reduction)\b.*\bUnit$",
               "Team": r"\bYouth\s+(?:Offending|Justice|Support)\s+Teams?$",
               "Teams": r"\bYouth\s+(?:Offending|Justice|Support)\s+Teams?$"}
_CAP = r"(?:[A-Z][\w'’-]*|NHS)"
_NEXT = r"(?:\s+|,\s+(?=" + _CAP + r"))"  # words run on, or a comma before more capitalised ones
# capitalised words joined by and/of/for/the/& ending in a head, or a head first ("University of Wendlebury",
# "Office of the Police, Fire and Crime Commissioner")
_ORG_RX = re.compile(r"\b(?:" + _CAP + r"(?:" + _NEXT + r"(?:(?:and|of|for|the|&)\s+){0,2}" + _CAP + r")*\s+(?:"
                     + "|".join(_ORG_HEADS) + r")|(?:University|College|Office|Royal\s+Borough)(?=\s+of\s))\b"
                     r"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:" + _NEXT + r"(?:and\s+)?[A-Z][\w'’-]*){0,4})?")
_ORG_CUT = re.compile(r"^.*\b(?:Police|Constabulary)\b(?!,?\s+(?:Fire\s+)?and\s+Crime)\s*(?:(?:and|of|for|&)\s+)*")
_JUSTICE = re.compile(r"\b(?:Prosecution|Probation|Prison|Courts?|Youth Offending)\b")


def org_candidates(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, name, "partner", kind) for organisations named in capitals ("Hallam Vale University",
    "Norfolk and Suffolk NHS Foundation Trust", "Office of the Police and Crime Commissioner")."""
    out = []
    for m in _ORG_RX.finditer(text):
        for name, start in _split_orgs(m.group(0), m.start()):
            out += _org(name, start)
    return out


# where "and" joins two names: after an organisation's or a unit's head word ("... Unit and the National Crime Agency")
_NAME_ENDS = (*_ORG_HEADS, "Hub", "Squad", "Department", "Directorate", "Police", "Constabulary")
_ORG_AND = re.compile(r"\b(?:" + "|".join(_NAME_ENDS) + r")((?:,?\s+(?:and|&)|,)\s+(?:the\s+)?)"
                      r"(?!(?:Fire\s+and\s+)?Crime\b)(?=" + _CAP + ")")


_AND_THE = re.compile(r"(,?\s+and\s+the\s+)(?=" + _CAP + ")")  # "X and the Y": a new name after "the"


def _split_orgs(name: str, start: int) -> list[tuple[str, int]]:
    """"Cumberland Council and Westmorland and Furness Council" names two organisations."""
    out, pos = [], 0
    for m in sorted([*_ORG_AND.finditer(name), *_AND_THE.finditer(name)], key=lambda m: m.start(1)):
        if m.start(1) < pos:
            continue
        out.append((name[pos:m.start(1)], start + pos))
        pos = m.end()
    return out + [(name[pos:], start + pos)]


def _org(name: str, start: int) -> list[tuple[int, int, str, str, str]]:
    """One organisation's candidate, trimmed of a force before it and of sentence openers."""
    if not re.search(r"\b(?:" + "|".join(_ORG_HEADS) + r")\b", name):
        return []
    cut = _ORG_CUT.match(name)  # "Wessex Police and Hampshire County Council": the force is not part of it
    if cut:
        name, start = name[cut.end():], start + cut.end()
    lead = re.match(r"^(?:(?:" + "|".join(_LEADING) + r")\s+)+", name)
    if lead:
        name, start = name[lead.end():], start + lead.end()
    name = re.sub(r"['’]s?$", "", name.rstrip(", "))  # "College of Policing's guidance": the college
    words = name.split()
    if len(words) < 2 or (words[0] in _ORG_HEADS and " of " not in name):
        return []
    head = next((w for w in reversed(words) if w in _ORG_HEADS), words[-1])
    main = name if words[0] in _ORG_HEADS else name.split(" of ")[0]
    if head in _HEAD_NEEDS and not re.search(_HEAD_NEEDS[head], main):
        return []
    kind = "health" if "NHS" in words else "justice" if _JUSTICE.search(name) else _ORG_HEADS.get(head, "agency")
    return [(start, start + len(name), name, "partner", kind)]


_OPERATION_RX = re.compile(r"\b(?:Operation|Project)\s+([A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)?)")
_WORD_NAME = r"[A-Z][\w'’&-]*(?:\.[a-z]+)*"  # "Evidence.com", not "Niche. Its"
_NAME = _WORD_NAME + r"(?:\s+(?:(?:of|for|the)\s+)?" + _WORD_NAME + r"){0,4}"
# a regional organised crime unit known by its name: "Tarian, the Southern Wales regional organised crime unit"
_ROCU_RX = re.compile(r"(?<![\w-])([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?),\s+(?:the|a|its)\s+(?:[A-Z][\w-]*\s+){0,3}"
                      r"(?:regional\s+organised\s+crime\s+unit|ROCU)\b", re.I)
_BODY = r"(?:charity|housing association|housing provider|social enterprise|voluntary organisation|community group)"
# a partner introduced by what it is: "the charity Safe Haven", "Ashford Homes, a housing association"
# the description may say more of what it is: "Paladin, a national stalking advocacy charity"
_DESCRIBED_RX = re.compile(r"\b" + _BODY + r"\s+(?:called\s+|named\s+)?(" + _NAME + r")|(" + _NAME
                           + r"),\s+(?:a|the)\s+(?:[a-z][\w'’-]*\s+){0,3}?" + _BODY + r"\b")
# partners listed after what they are: "charities such as Harbour Light, Kestrel Aid and the Fen Trust"
_LISTED_RX = re.compile(r"\b(?:charities|voluntary\s+(?:groups|organisations)|housing\s+(?:associations|providers)|"
                        r"support\s+services)\s*,?\s+(?:such\s+as|including|like)\s+((?:the\s+)?" + _NAME
                        + r"(?:(?:,\s+|,?\s+and\s+)(?:the\s+)?" + _NAME + r")*)")
# an NHS body named without a head word: "NHS Kent and Medway", "NHS England"
_NHS_RX = re.compile(r"\bNHS(?:\s+(?:and\s+)?[A-Z][a-z][\w'’-]*){1,5}")
# a system named, then said what it is: "Atlas, a web-based case-recording system"
_APPOSED_RX = re.compile(r"(?<![\w-])([A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*){0,2}),\s+(?:a|an|the|its)\s+"
                         r"(?:[\w-]+\s+){0,3}?(system|app|database|platform|tool|device|scheme|programme|"
                         r"initiative|project)\b")
# the same, the other way round: "a new mobile data platform, Forcefield, so that ..."
_NAMED_AFTER_RX = re.compile(r"\b(system|app|database|platform|tool|device|scheme|programme|initiative|project),\s+("
                             r"[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*){0,2})(?=\s*[,.;])")
# a name in quotes before its head: "the 'Street Watch' app", "'Buddi' tags"
_QUOTED_RX = re.compile(r"[‘'\"“]([A-Z][^‘’'\"“”]{0,40}?)[’'\"”]\s+(apps?|systems?|schemes?|tags?|devices?|programmes?|"
                        r"initiatives?|projects?|tools?|databases?|platforms?|campaigns?)\b")
# a system or scheme introduced by its name: "a new system called Atlas", "an app known as Beacon"
_CALLED_RX = re.compile(r"\b(system|app|application|platform|database|tool|device|programme|scheme|initiative|"
                        r"project|model),?\s+(?:called|known\s+as|named|branded\s+as)\s+['‘\"“]?("
                        + _WORD_NAME + r"(?:\s+" + _WORD_NAME + r"){0,3})")


def _a_name(text: str, start: int, name: str, strict: bool = True) -> bool:
    """Not an opener taken for a name: "However, the system", "Currently, a charity", "Last year, a charity"."""
    first = name.split()[0]
    if first in _LEADING or first.lower() in _GENERIC or first.lower().endswith("ly"):
        return False
    at_start = not text[:start].strip() or bool(re.search(r"[.!?:]\s*$", text[:start]))
    odd = any(c.isupper() or c.isdigit() for c in first[1:])  # "E-CINS", "A2Dominion": no ordinary word
    return odd or not strict or not (at_start and (len(name.split()) == 1 or name.split()[1][:1].islower()))


def _system_or_scheme(head: str) -> str:
    return "system" if head.lower() in _SYSTEM_HEADS | {"tool", "device"} else "scheme"


def introduced_candidates(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, name, type, kind) for partners, systems and schemes introduced by what they are."""
    out = []
    for m in _DESCRIBED_RX.finditer(text):
        g = 1 if m.group(1) else 2
        if _a_name(text, m.start(g), m.group(g)):
            kind = "housing" if "housing" in m.group(0) else "voluntary"
            out.append((m.start(g), m.end(g), m.group(g), "partner", kind))
    for m in _ROCU_RX.finditer(text):
        if m.group(1)[:1].isupper() and _a_name(text, m.start(1), m.group(1), strict=False):
            out.append((m.start(1), m.end(1), m.group(1), "partner", "justice"))
    for m in _LISTED_RX.finditer(text):
        for n in re.finditer(_NAME, m.group(1)):
            if n.group(0) not in _LEADING:
                kind = "housing" if "housing" in m.group(0).lower() else "voluntary"
                out.append((m.start(1) + n.start(), m.start(1) + n.end(), n.group(0), "partner", kind))
    for m in _NHS_RX.finditer(text):
        last = m.group(0).split()[-1]
        if last not in _ORG_HEADS and last.lower() not in _SCHEME_HEADS:  # a named trust is an org_candidate
            out.append((m.start(), m.end(), m.group(0), "partner", "health"))
    for m in _APPOSED_RX.finditer(text):
        if _a_name(text, m.start(1), m.group(1)):
            out.append((m.start(1), m.end(1), m.group(1), "programme", _system_or_scheme(m.group(2))))
    for m in _NAMED_AFTER_RX.finditer(text):
        if _a_name(text, m.start(2), m.group(2), strict=False):
            out.append((m.start(2), m.end(2), m.group(2), "programme", _system_or_scheme(m.group(1))))
    for m in _QUOTED_RX.finditer(text):
        head = singular(m.group(2).lower())
        kind = "system" if head in _SYSTEM_HEADS | {"tool", "device"} else "scheme"
        out.append((m.start(), m.end(), f"{m.group(1)} {m.group(2)}", "programme", kind))
    for m in _CALLED_RX.finditer(text):
        head = singular(m.group(1).lower())
        kind = "system" if head in _SYSTEM_HEADS | {"application", "tool", "device"} else "scheme"
        out.append((m.start(2), m.end(2), m.group(2).rstrip(".'’\"”"), "programme", kind))
    return out


# one member of a list of partners: capitalised words, "of/for/the" between them, no "and" (that separates members)
_MEMBER = r"[A-Z][\w'’&.-]*(?:\s+(?:(?:of|for|the)\s+)*[A-Z][\w'’&.-]*){0,5}"
_BEFORE = re.compile(r"(?<![\w'’-])(?:the\s+)?(" + _MEMBER + r")(?:,\s*(?:and\s+)?|,?\s+and\s+)(?:the\s+)?$")
_AFTER = re.compile(r"^(?:,\s*(?:and\s+)?|,?\s+and\s+)(?:the\s+)?(" + _MEMBER + r")(?![\w'’-])")
_NOT_PARTNER = re.compile(r"\b(?:Police|Constabulary|Act|Operation)$|^(?:HM\s+Inspector|HMI)")


def listed_with(text: str, known: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, name) for names listed beside known partners ("works with Hollin Council, Refuge and the
    Fen Trust": "Refuge"), walking along the list from each known one named in capitals; forces, Acts and
    words opening a sentence excluded."""
    found: list[tuple[int, int, str]] = []
    todo, seen = list(known), set(known)
    while todo:
        a, b = todo.pop()
        for m, off in ((_BEFORE.search(text[max(0, a - 120):a]), max(0, a - 120)), (_AFTER.match(text[b:b + 120]), b)):
            if m is None:
                continue
            span = (off + m.start(1), off + m.end(1))
            name = m.group(1)
            opens = (not text[:span[0]].strip() or bool(re.search(r"[.!?:;]\s*$", text[:span[0]]))) \
                and len(name.split()) < 2  # a one-word opener ("Instead, ...") is no name; "Stop Abuse Now, ..." is
            if span in seen or opens or name.split()[0] in _LEADING or _NOT_PARTNER.search(name) \
                    or name.split()[0].lower() in _GENERIC:
                continue  # (a word opening a sentence, "Instead, ...", is no name in a list)
            seen.add(span)
            todo.append(span)
            found.append((*span, name))
    return found


_ACT_RX = re.compile(r"\b((?:[A-Z][\w'’-]*,?\s+(?:(?:and|of|the|for)\s+)*){1,8}Act\s+(?:of\s+)?\d{4})")


def _type_of_head(head: str) -> tuple[str | None, str | None]:
    """The entity type and kind a head noun gives its phrase ("team" -> unit, "trust" -> partner)."""
    if head in _PARTNER_HEADS:
        return "partner", _PARTNER_HEADS[head]
    if head in _UNIT_HEADS:
        return "unit", None
    if head in _ROLE_HEADS:
        return "role", None
    if head in _MEETING_HEADS or head == "group":
        return "programme", "meeting"
    if head in _SYSTEM_HEADS:
        return "programme", "system"
    if head in _SCHEME_HEADS:
        return "programme", "scheme"
    if head in _ORDER_HEADS:
        return "legislation", "legislation"
    return None, None


def _clean_surface(s: str) -> str:
    s = re.sub(r"\s+", " ", s.replace("’", "'")).strip(" .,;:")
    s = re.sub(r"^(?:the|a|an|its|their)\s+", "", s, flags=re.I)
    s = re.sub(r"^force's\s+", "", s, flags=re.I)
    if " " in s and s.split()[0].lower() in {"the", "a", "an", "its", "their", "this", "these", "some", "most",
                                              "all", "each", "every", "many"}:
        s = s.split(" ", 1)[1]
    return s


def _canonical_label(surface: str) -> str:
    """Singular head, lower case unless a proper name or an acronym."""
    words = surface.split()
    if words[-1].upper() != words[-1]:  # "E-CINS" is a name, not a plural
        words[-1] = singular(words[-1])
    out = []
    for i, w in enumerate(words):
        if w.isupper() or any(c.isdigit() for c in w) or (i > 0 and w[:1].isupper()) or \
                (i == 0 and any(x[:1].isupper() and not x.isupper() for x in words[1:])):
            out.append(w)
        else:
            out.append(w.lower())
    return " ".join(out)

