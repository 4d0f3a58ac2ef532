"""The words and phrasings behind each triage label (../shared/triage/LABELS.md), written
from the labels' definitions and the city's service catalogue, not from any labelled
comment: triage is judged on comments it has never seen. Each entry is a regular
expression over lower-cased text with obfuscation undone (see normalize.py); the first
one that matches is the label's reason.

Kept as data, one list per label, so that counsel and moderators can read what triggers
what, and a new phrasing is one line.
"""

from __future__ import annotations

# Conditions that need a city service (311's catalogue, in residents' words).
SERVICE_CONDITIONS = [
    r"no (?:heat|hot water|water|gas|electricity|power)\b", r"\bheat (?:is )?(?:off|out|not working)",
    r"(?:trash|garbage|recycling|compost|bulk items?|bags?)\b.{0,40}\b(?:not|never|wasn'?t|hasn'?t|haven'?t|"
    r"weren'?t|didn'?t)\b.{0,20}\b(?:picked|collected|taken)",
    r"missed (?:pickup|pick-up|collection|trash|garbage|recycling)", r"\bpiling up\b", r"overflowing",
    r"\brats?\b", r"\bmice\b", r"\broach(?:es)?\b", r"\bbed ?bugs?\b", r"\bmold\b", r"\brodents?\b",
    r"\bnoise\b", r"\bloud (?:music|party|parties|construction|bar|club)", r"blasting music",
    r"(?:blocked|blocking) (?:my |the |our )?(?:driveway|hydrant|crosswalk|bike lane|sidewalk)",
    r"double[- ]park", r"illegally parked", r"abandoned (?:car|vehicle|bike)",
    r"street ?lights? (?:is |are |has been |have been )?(?:out|off|broken|dark|flickering|not working)",
    r"(?:lights?|lamp) (?:is |are )?out on\b", r"graffiti", r"illegal dumping", r"dumped",
    r"(?:broken|busted|leaking|leaky) (?:hydrant|pipe|main|meter|bench|swing|fountain|toilet|elevator)",
    r"water main", r"sewer", r"(?:street|basement|road) (?:is )?flood", r"flooding", r"clogged",
    r"catch ?basin", r"dead (?:animal|rat|bird|raccoon|dog|cat)", r"stray (?:dog|cat)s?",
    r"needles?\b", r"homeless encampment", r"(?:smell|stench|odor)", r"idling",
    r"(?:snow|slush) (?:not|never|hasn'?t been) (?:cleared|plowed|removed)", r"not (?:been )?plowed",
    r"unplowed", r"elevator (?:is )?(?:out|broken|down)", r"(?:tree|branch(?:es)?) (?:needs?|need) "
    r"(?:trimming|pruning|removal)", r"(?:dead|dying) tree", r"pothole", r"potholes",
    r"(?:broken|cracked|uneven|raised|collapsed) (?:sidewalk|curb|pavement|step|stairs|road)",
    r"(?:traffic )?(?:light|signal)s? (?:is |are |has been |have been )?(?:out|dark|broken|stuck|"
    r"not working|down)", r"(?:out|dark|dead) (?:traffic )?(?:light|signal)",
    r"manhole", r"sinkhole", r"(?:down(?:ed)?|fallen|hanging|exposed|live|sparking) (?:power )?"
    r"(?:wires?|lines?|cables?|tree|branch|limb)", r"(?:wires?|tree|branch|limb) (?:is |are )?"
    r"(?:down|hanging|sparking)", r"scaffold", r"gas leak", r"smell(?:s|ing)? (?:of )?gas",
    r"(?:black )?ice (?:on|all over)", r"\bicy\b", r"(?:sheet of|patch of) ice",
]
SERVICE_CONDITIONS += [
    r"\d+ ?(?:degrees|°f?) (?:inside|in (?:my|our|the) (?:apartment|apt|place|unit|room))",
    r"(?:broken )?glass (?:all over|everywhere|on the)", r"(?:ceiling|roof|pipe|radiator)\b.{0,30}\bleak",
    r"\bleak(?:ing|s)? (?:since|for|into|through)", r"(?:blasts?|blasting|bumping) (?:music|bass)",
    r"jackhammer", r"(?:til|till|until) [1-6] ?am", r"(?:can'?t|cannot|couldn'?t) sleep", r"all night",
    r"(?:not|never|hasn'?t|haven'?t) (?:seen )?(?:one |a |any )?(?:plow|salt|sanitation truck)",
    r"(?:hydrant|spigot|fountain|sprinkler)\b.{0,40}\b(?:off|broken|open|knocked|pouring|leaking|dry)",
    r"(?:pole|sign|signal|light|lamp)\b.{0,20}\b(?:knocked (?:over|down|off)|lying|down across)",
    r"(?:downed|fallen|knocked[- ]over) (?:light |lamp |utility )?(?:pole|sign)",
    r"(?:ticket|complaint|request) (?:got |was )?closed", r"nobody (?:showed|came|answers|ever came)",
    r"(?:super|landlord|management) (?:doesn'?t|won'?t|never) (?:answer|fix|respond|do)",
]
# Other languages the city's residents write in (Spanish, Chinese): the usual words for
# broken things, hazards, trash, noise, heat and pests.
SERVICE_CONDITIONS += [
    r"\bhueco\b", r"\bbache", r"\bsem[aá]foro", r"\bacera\b", r"\bbasura\b", r"\bruido\b",
    r"calefacci[oó]n", r"agua caliente", r"\bratas?\b", r"\bcucarachas?\b", r"\b(?:roto|rota|rotos|"
    r"rotas|da[nñ]ado|da[nñ]ada)\b", r"[aá]rbol ca[ií]do", r"\bcables?\b", r"\binundad",
    r"坏", r"摔", r"坑", r"漏水", r"垃圾", r"噪音", r"暖气", r"老鼠", r"红绿灯", r"信号灯", r"人行道",
]
# Asking the city to act (a request, not a report): "please fix", "can someone come".
SERVICE_ASKS = [
    r"(?:please|pls|plz|can (?:you|someone|somebody)|could (?:you|someone)|need (?:you|someone)|"
    r"someone needs to|when will (?:you|someone|the city)|send (?:someone|a crew|a truck|"
    r"an inspector)|come (?:fix|clean|pick)|get (?:this|it) fixed)\b.{0,60}\b(?:fix|repair|"
    r"clean|pick|remove|send|come|inspect|look at|check|tow|plow|patch|fill|replace|turn)",
    r"(?:fix|repair|patch|fill|clean up|pick up|tow|plow|replace) (?:this|that|it|the|our|my)\b",
    r"how (?:do|can) (?:i|we) (?:report|get .{0,30} (?:fixed|removed|picked up))", r"\b311\b",
    r"who do i (?:call|contact|report)", r"who can (?:fix|turn|come|help|clean|remove|check)",
    r"please help", r"(?:send|get) (?:dob|dot|dsny|dep|hpd|parks|someone|somebody|an inspector|"
    r"a crew)\b", r"(?:pueden|puede|por favor) (?:mandar|enviar|arreglar|venir|limpiar)",
    r"请.{0,6}(?:派|修|处理)",
    r"(?:been|for) (?:\d+|two|three|four|five|several|many) "
    r"(?:days|weeks|months)", r"(?:still|again) (?:broken|out|not fixed|no heat|no hot water)",
]
# Physical hazards that could hurt someone (possible legal notice, P24).
HAZARDS = [
    r"pothole", r"sinkhole", r"(?:open|missing|uncovered|loose) manhole", r"manhole cover",
    r"(?:broken|cracked|uneven|raised|collapsed|crumbling|buckled) (?:sidewalk|curb|pavement|"
    r"step|steps|stairs|railing|road|street)", r"(?:sidewalk|pavement|curb) (?:is )?(?:broken|"
    r"cracked|uneven|raised|collapsed|crumbling|caving)", r"trip(?:ped)? (?:hazard|over|and fell)",
    r"(?:down(?:ed)?|fallen|hanging|exposed|live|sparking|dangling) (?:power |electrical )?"
    r"(?:wires?|lines?|cables?)", r"(?:wires?|cables?) (?:is |are )?(?:down|hanging|sparking|"
    r"exposed|dangling)", r"(?:down(?:ed)?|fallen|falling|leaning|cracked|split) (?:tree|branch|"
    r"limb)s?", r"(?:tree|branch|limb)s? (?:fell|fall(?:en|ing)?|(?:is |are )?down|came down|"
    r"about to fall|hanging|leaning)",
    r"(?:traffic )?(?:light|signal)s? (?:is |are |has been |have been )?(?:out|dark|broken|stuck|"
    r"not working|down|dead)", r"(?:out|dark|dead|broken) (?:traffic )?(?:light|signal)",
    r"no (?:traffic )?(?:light|signal)", r"stop sign (?:is )?(?:down|missing|knocked)",
    r"(?:missing|knocked down) stop sign", r"scaffold(?:ing)? (?:is )?(?:loose|falling|swaying|"
    r"collaps|shaking|unsafe|coming down)", r"(?:loose|falling|swaying|collapsing|unsafe) "
    r"scaffold", r"(?:facade|brick|bricks|debris|glass|masonry) (?:is )?(?:falling|fell|coming "
    r"down|crumbling)", r"falling (?:debris|bricks|glass)", r"gas leak", r"smell(?:s|ing)? (?:of )?gas",
    r"(?:black )?ice\b", r"\bicy\b", r"slipp(?:ed|ery)", r"(?:exposed|live) (?:rebar|wires?)",
    r"(?:open|uncovered|unmarked) (?:trench|hole|pit|excavation|grate)", r"(?:hole|trench) in the "
    r"(?:road|street|sidewalk)", r"cave[- ]?in", r"collaps", r"flooded (?:underpass|street|road)",
    r"(?:almost|nearly) (?:got |was )?(?:hit|killed|fell|fall|crashed|crash|t-boned)", r"t-?bone",
    r"(?:someone|somebody|a kid|a child|people|cyclists?|pedestrians?) (?:is |are )?(?:going to|"
    r"gonna|will) (?:get hurt|get killed|die|fall|trip)", r"accident waiting to happen",
    r"(?:fell|tripped|slipped|broke (?:my|her|his) (?:ankle|wrist|arm|leg))\b", r"\bsparking\b",
    r"(?:carbon monoxide|co detector)", r"(?:guard ?rail|railing) (?:is )?(?:broken|missing|loose)",
    r"(?:walk |pedestrian |crossing )?(?:signal|light|sign)s?\b.{0,40}\b(?:dead|dark|out|not working|"
    r"nothing lights up|flashing|shows nothing|blank)", r"(?:sticking|sticks) up",
    r"(?:wiping|wipe|wiped) out", r"skating rink", r"\bslick\b", r"\bslippery\b",
    r"(?:leaning|hanging|split|cracked)\b.{0,40}\b(?:over|into|onto) (?:the )?(?:road|street|path|"
    r"sidewalk|bus stop|crosswalk|playground|cars?|house|bike lane)", r"(?:gonna|going to|about to) "
    r"(?:drop|fall|come down|collapse|give way)", r"falling off", r"\bchunks?\b.{0,30}\b(?:fall|fell|"
    r"drop)", r"(?:shed|netting|planks?)\b.{0,40}\b(?:missing|ripped|hanging|falling|loose|dropping)",
    r"(?:stuff|things|debris|pieces?) (?:keeps? )?(?:dropping|falling)", r"cut (?:her|his|my|their) "
    r"(?:foot|hand|leg)", r"(?:leg|foot|wheel) (?:went )?(?:right )?(?:thru|through)",
    r"(?:grate|plate|cover|lid)\b.{0,30}\b(?:broken|loose|missing|slides|sticking|bent)",
    r"(?:bent|sticking out) into the (?:bike lane|road|street|sidewalk)", r"ambulance (?:got )?stuck",
    r"(?:stroller|wheelchair)\b.{0,30}\b(?:almost|nearly|fell|stuck|tipped)",
    r"(?:elevator|door)\b.{0,40}\bno car\b", r"(?:open|empty) (?:elevator )?shaft",
    r"\bhueco\b", r"\bbache", r"peligro", r"se (?:cay[oó]|cae)", r"casi se cae", r"摔倒", r"危险",
    r"坑", r"(?:人行道|路).{0,6}坏",
]
RECORDS = [
    r"\bfoil\b", r"freedom of information", r"\bfoia\b", r"public records?", r"records? request",
    r"under (?:the )?(?:foil|foia|public officers law)", r"public officers law",
    r"(?:request|requesting|want|need|like|get|see|obtain|release|publish|share|post|provide|"
    r"hand over|turn over|make public)\b.{0,60}\b(?:records?|emails?|e-mails?|contracts?|invoices?|"
    r"memos?|correspondence|communications|minutes|inspection reports?|reports?|audits?|data|"
    r"datasets?|data sets?|spreadsheets?|logs?|footage|body ?cam|video|recordings?|documents?|"
    r"docs|files|receipts|budget (?:breakdown|documents?)|payroll|disciplinary|complaints? "
    r"(?:history|records?|data)|violations?|permits?|bids?|proposals?|rfps?)",
    r"(?:copy|copies) of (?:the|all|any)?\b", r"(?:where|how) (?:can|do) (?:i|we) (?:get|find|"
    r"obtain|request|see) (?:the|a|all)? ?(?:records?|data|reports?|contract|emails?|documents?|"
    r"footage|minutes)", r"(?:release|publish|show us|share) the (?:data|numbers|report|"
    r"contract|emails|footage|study|audit|raw data)",
    # Data asked for as a breakdown or a list is a request for records, not a question.
    r"\bwant to see (?:the|a|that) (?:list|data|numbers|breakdown|records?|report|spreadsheet)",
    r"\bhow many\b.{0,80}\bby (?:borough|precinct|district|zip(?: code)?|year|month|"
    r"neighborhood|agency|type)\b",
    r"\b(?:send|email|e-mail|mail|give) (?:me|us) (?:a |the )?cop(?:y|ies)\b",
    # Spanish and Chinese, as residents write them (like the service words above).
    r"\bcopias? de\b", r"\b(?:quiero|quisiera|solicito|solicitar|pido|pedir|necesito)\b.{0,40}"
    r"\b(?:copias?|registros?|documentos?|expedientes?|informes?|reportes?|inspecciones|"
    r"violaciones|datos|contratos?|correos)\b", r"ley de libertad de informaci[oó]n",
    r"\bregistros? p[uú]blicos?", r"(?:申请|要求|索取|请求|查阅).{0,10}(?:记录|档案|文件|资料|报告|数据)",
    r"信息自由",
]
QUESTION_STARTS = [
    r"^(?:how|when|where|what|which|who|why|is|are|can|could|will|would|do|does|did|should|"
    r"any ?one know|anyone know|does anyone|is there|are there|what's|whats|when's|where's)\b",
    r"\b(?:how do i|how can i|when (?:is|are|does|do|will)|where (?:is|are|can|do)|what (?:time|"
    r"are the|is the|day)|is it (?:open|free|closed)|are (?:dogs|kids|pets) allowed|do i need|"
    r"can i (?:bring|get|use|apply|register|sign up))\b",
]
# Criticism of the agency, its officials, decisions or service (protected speech).
CRITICISM = [
    r"\b(?:waste|wasting|wasted) (?:of )?(?:money|time|taxpayer|tax dollars|overtime|resources)",
    r"\b(?:incompetent|incompetence|useless|pathetic|shameful|disgrace(?:ful)?|embarrassing|"
    r"ridiculous|absurd|joke|clowns?|failure|failing|failed|corrupt|corruption|inept|lazy|clueless|"
    r"negligent|negligence|unacceptable|outrageous|terrible|awful|horrible|worst|garbage job|"
    r"trash job|do better|do your job|step down|resign|fire (?:him|her|them)|out of touch|"
    r"tone[- ]deaf|nobody (?:answers|cares|listens)|doesn'?t care|don'?t care|never (?:answer|"
    r"respond|fix|listen)|no one (?:answers|cares|listens)|ignored|ignoring|ignore us|lies|lying|"
    r"liars?|hypocrit|sham|scam artists|rip[- ]?off|fleec|grift|cronies|kickbacks?|bloated|"
    r"slap in the face|insult|insulting|disappointed|disappointing|fed up|sick of|tired of|"
    r"enough is enough|give me a break|spare us|sure,? jan|lol ok|yeah right|cool stat)\b",
    r"\b(?:your|this|the) (?:agency|department|administration|mayor|commissioner|chancellor|"
    r"city|cops?|police|officers?|council(?:member)?|leadership|office|staff)\b.{0,60}\b(?:should be "
    r"ashamed|is a (?:joke|mess|failure|disaster)|failed|doesn'?t|don'?t|never|can'?t|won'?t|"
    r"refuses?)\b",
    r"(?:another|yet another|again,?) (?:year|month|week|delay|excuse|photo op|press release|"
    r"consultant|study|hike|increase|cut|fee)", r"(?:meanwhile|instead of|but you can'?t|"
    r"but (?:still|no one|nobody))\b", r"(?:third|fourth|fifth|\d+(?:st|nd|rd|th)) time",
    r"(?:nothing|never) (?:changes|gets done|happens|fixed)", r"still (?:waiting|nothing|broken)",
    r"what a (?:joke|mess|disaster|waste)", r"^\W*(?:\w+\W+){0,2}\w+\W*(?:\?\?|\bhuh\b|\blol\b|"
    r"\blmao\b|🙃|🙄|😂|🤡)", r"(?:reported|called|complained)\b.{0,30}\b(?:\d+|many|multiple|several|"
    r"so many|like \d+) times", r"\bsince (?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|last (?:year|month|week|summer|winter))\b.{0,60}"
    r"(?:nothing|no one|nobody|still|never)", r"get your (?:shit|act|stuff) together",
    r"rubber stamp", r"bought and paid for", r"(?:did|do) it anyway", r"tell that to",
    r"fairy tale", r"priorit(?:y|ies) (?:problem|huh)", r"you found (?:billions|millions|money)",
    r"taxpayers? deserve", r"(?:our|my) tax (?:money|dollars)", r"(?:thanks|thank you) for nothing",
    r"now do (?:mine|ours|my|our)", r"\bexcept\b.{0,40}\b(?:never|nobody|not)",
    r"\bas (?:usual|always)\W*$", r"\bas usual\b", r"\b(?:we|i) pay (?:my |our )?taxes\b",
    r"(?:how|why) (?:is|are|does|do|did) (?:it|this|that|"
    r"you|they).{0,40}(?:still|so hard|take so long|always|never)",
]
# Obscene: profanity used as abuse, or sexual content. A single mild swear word in a
# complaint ("get your shit together") is not obscene: it stays a complaint (P22).
PROFANITY = [
    r"f+u+c+k+\w*", r"\bf[\W_]*[u\*@]+[\W_]*c?[\W_]*k+\w*", r"\bfck\w*", r"\bfk+\b", r"\bfuk\w*",
    r"\bmotherf\w*", r"\bb[i1!\*]tch\w*", r"\bc+u+n+t+s?\b", r"\bcock(?:s|sucker|suckers)?\b",
    r"\bpuss(?:y|ies)\b", r"\btw[a4]t\w*", r"\bwhores?\b", r"\bsluts?\b",
    r"\bsuck (?:my|a) (?:dick|cock|balls)", r"\bblow ?jobs?\b", r"\bwank\w*",
    r"\b(?:piece of|pile of|full of) s+h+[i1!\*]+t+\b", r"\bs+h+[i1!\*]+t+ ?(?:head|bag|stain)s?\b",
    r"\b(?:dick|d[i1]ck)(?:head|heads|wad)\b", r"\beat (?:a )?d[i1]ck\b",
]
MILD_SWEARS = [
    r"\bs+h+[i1!\*]+t+\w*", r"\bbullsh\w*", r"\ba+s+s+h+o+l+e+s?\b", r"\bdumbass\w*",
    r"\bjackass\w*", r"\bd[i1]cks?\b", r"\bbastards?\b", r"\bpiss(?:ed)?\b", r"\bprick\b",
    r"\bdamn\b", r"\bcrap\w*", r"\bhell\b", r"\bass\b",
]
# Abuse aimed at a person or a group: the profanity is the insult, not an intensifier of
# criticism ("this fucking pothole" is a complaint; "fuck you" is abuse). Issue 13.
AIMED_ABUSE = [
    r"\b(?:f+u+c+k+|f[\W_]*[u\*@]+[\W_]*c?[\W_]*k+|fck|fk|screw) (?:you|u|ya|yourself|yourselves|"
    r"off|him|her|them|all of you|every one of you)\b",
    r"\b(?:you|u|ur|you're|youre|your|ya|he's|she's|they're|he is|she is|they are)\b.{0,25}"
    r"\b(?:c+u+n+t+s?|b[i1!\*]tch\w*|whores?|sluts?|tw[a4]ts?|motherf\w*|d[i1]ck ?heads?|"
    r"cocksuckers?|pieces? of s+h+[i1!\*]+t+|s+h+[i1!\*]+t+ ?(?:heads?|bags?|stains?)|"
    r"a+s+s+h+o+l+e+s?|dumbass\w*|jackass\w*|f+u+c+k+(?:ing|in)? (?:idiots?|morons?|losers?|"
    r"pigs?|clowns?))\b",
    r"\b(?:c[u\*]+n+t+s?|b[i1!\*]tch(?:es)?|whores?|sluts?|tw[a4]ts?|motherf\w+|cocksuckers?)\b",
    r"\bsuck (?:my|a) (?:dick|cock|balls)", r"\beat (?:a )?(?:d[i1]ck|s+h+[i1!\*]+t+)\b",
    r"\bgo f[\w\*@]{1,5} (?:yourself|yourselves|off)\b", r"\bkiss my (?:\w+ )?a[s\*]{2}\b",
    r"\b(?:f+u+c+k+|f[\*@]+k?) (?:your|ur)\b", r"\byou\b.{0,30}\b(?:f+u+c+k+s|sacks? of s+h+[i1!\*]+t+)\b",
]
SEXUAL = [
    r"\bnudes?\b", r"\bnaked\b", r"\bhorny\b", r"\bonlyfans\b", r"\bonly fans\b", r"\bporn\w*",
    r"\bxxx\b", r"\bsexy (?:pics|videos|girls|singles)", r"\bprivate shows?\b", r"\bsex (?:tape|"
    r"chat|cam|video)", r"\bcam ?girls?\b", r"\bhookups?\b", r"\bescort\w*", r"\bbooty\b",
    r"\btits\b", r"\bboobs\b", r"\bmilf\b", r"🍆", r"🔞",
]
SLURS = [  # spelled with their usual masks; a slur is hate speech whatever the sentence
    r"\bn[i1!\*][g\*]{1,2}(?:[e3\*]r|a|az|uh|ers|as)\b", r"\bf[a@\*][g\*]{1,2}(?:[o0\*]t)?s?\b",
    r"\bd[y\*]ke?s\b", r"\btr[a@]nn(?:y|ies)\b", r"\bsp[i1\*]cs?\b", r"\bch[i1\*]nks?\b",
    r"\bk[i1\*]kes?\b", r"\bwetbacks?\b", r"\bbeaners?\b", r"\bg[o0]oks?\b", r"\bcoons?\b",
    r"\bretard(?:s|ed)?\b", r"\braghead\w*", r"\btowel ?heads?\b", r"\bcamel ?jockey\w*",
    r"\bsand ?n\w+", r"\bjungle bunn\w*", r"\bporch monkey\w*", r"\bshemales?\b", r"\bgypp?ed\b",
    r"\bmuzz(?:ie|y|rat)s?\b", r"\bkung ?flu\b", r"\bhappy merchants?\b",
    # Coded hate: a racist statistic, the antisemitic nose-and-money emoji.
    r"\b13 ?/ ?50\b", "\U0001f443\\W{0,3}\U0001f911|\U0001f911\\W{0,3}\U0001f443",
]
# Demeaning a group of people for who they are.
GROUPS = (r"(?:immigrants?|migrants?|illegals|aliens|foreigners|refugees|muslims?|jews?|jewish|"
          r"christians?|hindus?|sikhs?|arabs?|africans?|mexicans?|chinese|asians?|blacks?|"
          r"black people|latinos?|hispanics?|puerto ricans?|dominicans?|haitians?|indians?|"
          r"pakistanis?|gays?|lesbians?|queers?|trans (?:people|women|men|folks)|transgenders?|"
          r"women|females|girls|disabled|cripples?|these people|those people|their kind|"
          r"third[- ]world|[a-z]+ people)")
# Named groups only (no "these people"): for patterns where the insult comes first, so
# that "rats everywhere, the city people never come" stays a complaint.
NAMED_GROUPS = (r"(?:immigrants|migrants|illegals|muslims|jews|arabs|africans|mexicans|chinese|"
                r"asians|blacks|latinos|hispanics|puerto ricans|dominicans|haitians|indians|"
                r"pakistanis|gays|lesbians|trans people|refugees)")
HATE = [
    r"\b(?:pests|vermin|parasites|savages|cockroaches|invaders|subhumans?)\b.{0,40}\b(?:are|is) "
    r"(?:the|those|these|all)? ?" + NAMED_GROUPS + r"\b",
    r"\b(?:should be allowed to|let us|we should) (?:refuse|ban|fire|evict|deport) (?:all )?"
    + NAMED_GROUPS, r"\b(?:they|these people|those people)(?:'re| are) all (?:terror\w*|criminals|"
    r"rapists|thieves|animals|savages|lazy)", r"\b(?:these|those) people (?:are (?:lazy|dirty|filthy|"
    r"animals|criminals)|eat (?:dogs|cats|bats))", r"\b(?:eat|eats|eating) (?:bats|dogs|cats) "
    r"(?:and|&) (?:bats|dogs|cats)", r"\b(?:deport (?:them|em|'em) all|(?:should|must|need to) all be "
    r"deported)\b", r"\bmen in (?:a )?dress(?:es)?\b",
    GROUPS + r"\b.{0,50}\b(?:animals|vermin|savages|subhuman|parasites|rats|cockroaches|"
    r"filth|disease|invaders|infest\w*|breed like|lazy|terror sympathizers|"
    r"should be (?:deported|banned|shot|gassed|removed|"
    r"locked up)|go back (?:to|where)|don'?t belong|ruin(?:ed|ing)? (?:this|our|the)|can'?t be "
    r"trusted|are all (?:criminals|thieves|terrorists|the same)|shouldn'?t be allowed)",
    r"(?:go back to|send (?:them|em) back to) (?:your|their|africa|mexico|china|india|the)\b",
    r"\bgroomers?\b", r"\b(?:dei|diversity) hires?\b", r"real americans", r"(?:third|3rd)[- ]world "
    r"(?:crews?|people|workers|trash|country)", r"(?:job|work) (?:that )?needs? (?:an? )?(?:actual|"
    r"real) man", r"\b(?:women|females|girls) (?:can'?t|shouldn'?t|don'?t belong|are too)",
    r"(?:speak|learn) english or (?:leave|get out|go home)", r"(?:jewish|jew) (?:bankers|media|"
    r"control|agenda)", r"\bzionist pigs\b", r"(?:muslims?|islam) (?:are|is) (?:terrorists|a cancer)",
    r"(?:mentally ill|sick in the head|perverts|degenerates) .{0,30}(?:trans|gay|queer|lgbt)",
    r"(?:trans|gay|queer|lgbt)\w*\W.{0,40}(?:mentally ill|sick in the head|perverts|degenerates|"
    r"abominations?|groom)", r"\(\(\(\s*\w+\s*\)\)\)", r"(?:illegal|these|those) (?:animals|savages|"
    r"vermin|parasites)", r"(?:ship|send) (?:them|em|'em) (?:all )?back", r"come here to (?:rob|steal|"
    r"breed|leech)", r"crawled out of", r"\bbreed(?:ing)? like",
    r"\b(?:illegals|aliens)\b.{0,40}\b(?:taking|stealing|flooding|invading)",
    r"\b(?:these|those|the|filthy|dirty) (?:invaders|infestation)\b",
]
SOLICITATION = [
    r"\blink in (?:my )?bio\b", r"\bdm (?:me|us)\b", r"\bcheck (?:out )?my (?:page|profile|bio|"
    r"channel|store|shop|site)\b", r"\bfollow (?:me|us|my page)\b", r"\bfollowers\b.{0,30}\b(?:cheap|"
    r"buy|real|fast|instant)", r"\b(?:buy|cheap|get|gain) (?:real )?(?:followers|likes|views)",
    r"\d+ ?% off\b", r"\b(?:flash |big |huge )?sale\b.{0,40}\b(?:today|now|weekend|only|off|store)",
    r"\bpromo(?: code)?\b", r"\bdiscount code\b", r"\bcoupon\b", r"\buse code\b",
    r"\b(?:make|earn|making|earning) \$?\d[\d,k]*\+? ?(?:a |per |/)?(?:day|week|month|hour|daily|weekly)",
    r"\bwork from home\b", r"\bpassive income\b", r"\b(?:crypto|bitcoin|btc|forex|nft)\b.{0,40}\b"
    r"(?:invest|profit|returns?|signals?|earn|trading|opportunity|mentor)", r"\binvest(?:ment)? "
    r"opportunit", r"\bguaranteed (?:returns?|profit|income)", r"\bcash app\b", r"\bwhatsapp\b",
    r"\btelegram\b", r"\bcall (?:now|today)\b", r"\b(?:visit|order at|shop at|shop now)\b",
    r"https?://(?!(?:www\.)?nyc\.gov|(?:[\w-]+\.)*nyc\.gov)\S+", r"\bwww\.\S+\.(?:com|net|biz|io|shop)",
    r"\bbest (?:prices?|rates?|deals?) (?:in|on)\b", r"\bfree (?:trial|gift|iphone|giveaway|consultation)",
    r"\bgiveaway\b", r"\bwe (?:buy|sell|repair|install|remove|clean)\b", r"\bhiring\b.{0,30}\b(?:dm|"
    r"apply|link)", r"\b(?:our|my) (?:store|shop|restaurant|salon|business|company|agency|firm|"
    r"services?|law firm|clinic)\b.{0,60}\b(?:open|offer|special|call|visit|book|deal|now|today|"
    r"weekend|%)", r"\bbook (?:now|your|a) (?:appointment|session|consultation)", r"\b1-?800-?\d",
    r"\bsugar (?:daddy|baby|mommy)\b", r"\bloan (?:approval|offer)\b", r"\bbad credit\b",
    # Scams and self-promotion in their usual shapes.
    r"\bturned \$?\d[\d,.k]* into \$?\d", r"\b(?:you'?ve|you have) been (?:selected|chosen|"
    r"picked)\b", r"\bgift ?cards?\b",
    r"\bclaim (?:it (?:now|here|at|before|today)|yours|your (?:prize|reward|gift|card|"
    r"refund|rebate|money|cash|winnings)|now|here|at)\b",
    r"\bmessage (?:her|him|me|them|us) on (?:ig|insta|instagram|whatsapp|telegram|snap|tiktok)\b",
    r"\bcheck (?:out )?my (?:new )?(?:music|video|song|mixtape|album|podcast|track|ep|book|art)\b",
    r"\bjust dropped\b", r"\b(?:she|he|it|they)(?:'s| is|'re| are) legit\b",
    r"\b(?:trading|investment|bitcoin|crypto|forex) (?:program|platform|account manager|expert)\b",
    # Links, also where spam hides them from link filters (a bare domain, a shortener,
    # "dot com"); the city's own domain is not spam.
    r"\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|linktr\.ee)/\S+",
    r"\b(?![\w-]*nyc\.gov\b)[a-z0-9][\w-]{2,}\.(?:com|net|biz|info|shop|store|online|site|xyz|"
    r"top|club|live|link|co|io|me)/\S*", r"\b[a-z0-9][\w-]{2,} dot (?:com|net|org|biz|info)\b",
    # Selling a service in its usual words.
    r"\b24/7\b.{0,60}\b(?:call|text|dm|licensed|insured|service|repair|towing|quote)\b",
    r"\bfree (?:quote|estimate|session|class|lesson|consult)", r"\bfirst (?:session|class|lesson|"
    r"month|consultation) (?:is )?free\b", r"\bcheapest (?:in|on|around)\b", r"\bfor all your\b"
    r".{0,30}\bneeds\b", r"\blicensed (?:&|and) insured\b", r"\bsign up (?:at|now|today|here)\b",
    r"\bno experience (?:needed|necessary|required)\b", r"\b(?:earn|work|make money) (?:from|at) "
    r"home\b", r"\bserious inquiries\b", r"\b(?:small|tiny|one-time) fee\b", r"\bguaranteed (?:a )?"
    r"(?:spot|approval|placement|results?|returns?|income)\b", r"\bguarantees? \d",
    r"\bselling (?:my |two |a |\d+ )?(?:tickets?|seats?|passes)\b",
    r"\bvendo\b", r"\bm[aá]ndame (?:un )?(?:dm|mensaje|inbox)\b", r"加(?:我)?(?:微信|vx|wx|v信)",
    r"保证(?:中签|通过|批准)",
]
# Threats aim at a person (or a place with people in it), which "this will kill small
# businesses" does not.
VICTIM = (r"(?:you|u|ya|y'?all|him|her|them|em|'em|your (?:\w+ )?(?:ass|family|kids?|wife|husband|"
          r"mother|mom|officers?|cops?|staff|workers?)|every (?:one|last one) of (?:you|them)|"
          r"(?:that|this|the|those|these) (?:\w+ )?(?:cop|cops|officer|officers|pig|pigs|guy|lady|man|"
          r"woman|bitch|snitch|inspector|commissioner|mayor|councilman|councilwoman)s?)")
THREATS = [
    r"\b(?:kill|shoot|stab|beat|hurt|murder|strangle|choke|hunt(?:ing)?|burn|end|"
    r"smoke|body|jump|pull up on|come for|find|catch|get)\b\s+" + VICTIM + r"\b.{0,40}\b(?:down|dead|"
    r"one by one|in the ground|when i|where|tonight|soon|promise|watch)",
    r"\b(?:i(?:'m| am)?|we(?:'re| are)?|i'?ll|we'?ll|gonna|going to|will|imma|ima)\s+(?:\w+\s+){0,3}"
    r"(?:kill|shoot|stab|beat|hurt|murder|hunt|burn|strangle|choke|smoke|jump|body)\s+" + VICTIM,
    r"\b(?:hunt(?:ing)? (?:you|them|u|y'?all)|hunting .{0,20} down)\b", r"\bput (?:you|him|her|"
    r"them|u) in the ground\b", r"\bwatch your back\b", r"\byou(?:'re| are) (?:dead|next)\b",
    r"\b(?:deserve|ought) to (?:die|be shot|be killed|hang)\b", r"\bsomeone should (?:shoot|kill|"
    r"hang|stab|hurt)\b", r"\bi know where (?:you|he|she|they) (?:live|work|park|sleep)",
    r"\bi know what your (?:car|house|kids?) looks? like\b", r"\bsee what happens when\b",
    r"\b(?:bomb|shoot up|blow up|burn down) (?:the|your|city hall|this|that)\b",
    r"\bthat'?s a promise\b", r"\bon (?:god|my mother|my mama)\b.{0,40}\b(?:kill|find|catch|get)\b",
    r"\bshould be (?:shot|hanged|hung|killed|lynched)\b", r"\bfind your\b.{0,30}\bass\b",
    r"\b(?:leaving|leave|leaves|go(?:ing)? home|carried out) in (?:an? )?(?:ambulance|body ?bag|"
    r"coffin|casket|stretcher)", r"\bwe know (?:when|where) (?:they|you|he|she|y'?all)\b",
    r"\bnext time\b.{0,50}\b(?:won'?t (?:just )?be|it won'?t|he'?s (?:leaving|gonna)|"
    r"she'?s (?:leaving|gonna)|you'?re (?:leaving|gonna))",
    r"\bhope (?:someone|somebody|some1|you|he|she|they)\b.{0,30}\b(?:runs? (?:\w+ ){0,2}over|shoots?|"
    r"kills?|stabs?|beats?|dies|die\b|gets? (?:shot|killed|stabbed|hurt|run over|jumped))",
    r"\bshow up (?:at|to) (?:his|her|your|their|the \w+'?s) (?:house|home|door|apartment|job|work|"
    r"office|kids?'? school)",
]
DOXXING = [
    # A person's number: "cell 347-555-0198", "his number is (718) ..." (a business's
    # number to call is solicitation, not this).
    r"\b(?:cell|cellphone|cell phone|mobile|personal (?:number|phone))\s*(?:#|number|no\.?)?\s*"
    r"(?:is\s*)?:?\s*\(?\d{3}\)?[-.\s]?\d{3}[-.\s]\d{4}",
    r"\b(?:lives|living|stays|resides) (?:at|on) \d+\b", r"\bhome address\b", r"\b\d{3}[-.\s]\d{2}"
    r"[-.\s]\d{4}\b", r"\bhis (?:number|phone|cell|address) is\b", r"\bher (?:number|phone|cell|"
    r"address) is\b", r"\b(?:call|text) (?:him|her|them) at\b", r"\bhere'?s (?:his|her|their) "
    r"(?:address|number|phone|info|license plate)", r"\bplate (?:number )?(?:is )?[a-z]{3}[-\s]?\d{4}",
    r"\bsocial security\b", r"\bdate of birth\b",
]
IMPERSONATION = [
    # Posing as the agency: a "new official account", a "department here" asking for money.
    r"\b(?:this is|we are|i am|here is|follow) (?:the|our|my) new (?:official|real|verified) "
    r"(?:account|page|profile)", r"\bthis (?:account|page) will be (?:shut down|deleted|closed|"
    r"deactivated)", r"\b(?:dept|department|office|agency|licensing|support|team) here\b.{0,80}"
    r"\b(?:pay|fee|fees|suspend|suspended|suspension|verify|link|click)\b",
    r"\bpay (?:now|today|here|at|online) to avoid\b",
    r"\b(?:this is|we are|i am) the (?:real|official|actual)\b", r"\b(?:official|verified) "
    r"(?:nyc|city|government) (?:help ?desk|support|account|agent)\b.{0,60}\b(?:dm|send|verify|"
    r"account number|password|ssn|payment|fee)", r"\bdm us your (?:account|ssn|password|card|"
    r"details)", r"\bsend (?:us|me) your (?:account number|password|ssn|card|pin)",
    # Phishing: an office's name, a prize or a deadline, and a form asking for bank details.
    r"\b(?:enter|submit|provide|confirm|verify) (?:your|ur|their|the)\b.{0,40}\b(?:bank|ssn|"
    r"social security|password|pin|card number|account number|routing|osis)",
]
# A writer who says their comment is off the topic ("off topic but ...", "wrong page"):
# the one ground a comment that also asks the city something can carry (issue 13).
OFF_TOPIC_ADMITTED = [
    r"\boff[- ]?topic\b", r"\bunrelated\b", r"\bnot (?:\w+ ){0,2}related\b",
    r"\b(?:prob(?:ably)? )?(?:the )?wrong (?:page|account|post|thread|place)\b",
    r"\b(?:sorry to|not to) (?:hijack|derail)\b", r"\brandom (?:question|q)\b",
]

