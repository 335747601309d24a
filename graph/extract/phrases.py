"""Noun-phrase patterns: units, roles, meetings, systems, schemes and orders no gazetteer lists.

A phrase is found by its head noun ("team", "officers", "board", "scheme",
"order") and the modifiers before it, walking back until a word that cannot
start a name (a determiner, a verb, an adverb).
"""
from __future__ import annotations

import re

from graph.text import singular

WORD = r"[A-Za-z][\w'’-]*"

_UNIT_HEADS = {"team", "unit", "department", "hub", "squad", "desk", "directorate", "command", "bureau", "cell"}
_ROLE_HEADS = {"officer", "manager", "investigator", "adviser", "advisor", "coordinator", "co-ordinator",
               "analyst", "sergeant", "inspector", "nurse", "worker", "practitioner", "commander",
               "handler", "dispatcher", "detective", "constable", "leader", "lead", "chair", "registrar"}
_MEETING_HEADS = {"meeting", "board", "panel", "conference", "forum", "clinic"}
_SYSTEM_HEADS = {"system", "database", "app", "network", "service"}
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
consider considers include includes involve involves contact contacts see sees told tell tells ask asks""".split())
_NOUNLIKE = {"troubled", "organised", "integrated", "protected", "specialised", "centralised", "dedicated",
             "policing", "offending", "housing", "safeguarding", "handling", "prisoner-handling", "training",
             "tasking", "co-ordinating", "coordinating", "planning", "licensing", "problem-solving", "working",
             "recording", "monitoring", "screening", "investigating", "learning", "sentencing", "engineering",
             "trafficking", "profiling", "missing", "exploited", "vetting", "neighbourhood"}
_ROLE_GENERIC = _GENERIC | {"police", "some", "response", "neighbourhood", "the"} - {"response", "neighbourhood",
                                                                                       "police"}

_NP_RX = re.compile(r"((?:" + WORD + r"\s+){1,5})(" + WORD + r")")


def _np_candidates(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, phrase, type, kind) for pattern-found names in a sentence."""
    out = []
    for m in re.finditer(r"(?<![\w-])(" + WORD + r")(?![\w-])", text):
        head = m.group(1)
        h = singular(head.lower())
        typ = kind = None
        if h in _UNIT_HEADS:
            typ, kind = "unit", None
        elif h in _ROLE_HEADS:
            typ, kind = "role", None
        elif h in _MEETING_HEADS:
            typ, kind = "programme", "meeting"
        elif h == "group":
            typ, kind = "programme", "meeting"
        elif h in _SYSTEM_HEADS:
            typ, kind = "programme", "system"
        elif h in _SCHEME_HEADS:
            typ, kind = "programme", "scheme"
        else:
            continue
        # walk back over modifiers
        left = text[:m.start()]
        toks = list(re.finditer(r"(" + WORD + r"|\d[\w]*)(?=\s+$|\s*$)", left))
        mods: list[str] = []
        pos = m.start()
        for _ in range(4):
            mm = re.search(r"(?:^|(?<=\s))(" + WORD + r"|\d+[A-Za-z]+)\s+$", text[:pos])
            if not mm:
                break
            w = mm.group(1)
            lw = w.lower().replace("’", "'")
            if lw in _GENERIC or lw in _VERBS or lw.endswith("'s") or lw.endswith("ly") \
                    or (lw.endswith("ed") and lw not in _NOUNLIKE) or (lw.endswith("ing") and lw not in _NOUNLIKE):
                if lw == "and" and mods and pos > 0:
                    prev = re.search(r"(" + WORD + r")\s+$", text[:mm.start(1)])
                    if prev and prev.group(1).lower() not in _GENERIC | _VERBS and not prev.group(1)[:1].isupper():
                        mods.insert(0, w)
                        pos = mm.start(1)
                        continue
                break
            mods.insert(0, w)
            pos = mm.start(1)
        del toks
        if not mods or mods[0].lower() == "and":
            continue
        if typ == "role" and all(x[:1].isupper() and not x.isupper() for x in mods):
            continue  # "Kent officers": a place, not a role
        # drop a leading sentence-initial capital that is an ordinary word
        if typ == "programme" and h == "group" and mods[-1].lower() not in _GROUP_MODS:
            continue
        if typ == "role" and h in {"lead", "chair", "leader", "inspector", "sergeant", "constable", "detective"} \
                and len(mods) < 1:
            continue
        if typ in ("programme",) and kind == "system" and h == "service" and not mods[0][:1].isupper():
            continue  # "the probation service" is a partner, found by the gazetteer
        if h in _SCHEME_HEADS and not (mods[0][:1].isupper() or any(c.isdigit() for c in mods[0])) \
                and h in {"approach", "plan", "process", "assessment", "profile"}:
            continue  # too generic unless named ("4P plan", "Modern Crime Prevention Strategy")
        phrase = text[pos:m.end()]
        out.append((pos, m.end(), phrase, typ, kind or ""))
    return out


_OPERATION_RX = re.compile(r"\bOperation\s+([A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)?)")
_ACT_RX = re.compile(r"\b((?:[A-Z][\w'’-]*,?\s+(?:(?:and|of|the|for)\s+)*){1,8}Act\s+(?:of\s+)?\d{4})")


def _type_of_head(head: str) -> tuple[str | None, str | None]:
    if head in _UNIT_HEADS:
        return "unit", None
    if head in _ROLE_HEADS:
        return "role", None
    if head in _MEETING_HEADS or head == "group":
        return "programme", "meeting"
    if head in _SYSTEM_HEADS - {"service"}:
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
    words[-1] = singular(words[-1])
    out = []
    for i, w in enumerate(words):
        if w.isupper() or any(c.isdigit() for c in w) or (i > 0 and w[:1].isupper()) or \
                (i == 0 and len(words) > 1 and words[1][:1].isupper()):
            out.append(w)
        else:
            out.append(w.lower())
    return " ".join(out)

