"""Original sample content for the demo site, written for this project.

Every person, institution and event here is invented. Slugs are fixed so
``load_demo`` can recognise what it already created.
"""

SECTIONS = [
    {"slug": "world", "name": "World", "description": "Foreign news from our correspondents."},
    {"slug": "politics", "name": "Politics", "description": "Parliament, parties and power."},
    {"slug": "business", "name": "Business", "description": "Markets, companies and work."},
    {"slug": "science", "name": "Science", "description": "Research, climate and health."},
]

AUTHORS = [
    {
        "slug": "maria-lindqvist",
        "name": "Maria Lindqvist",
        "role": "Senior correspondent, Northern Europe",
        "bio": "Maria has reported from the Nordic and Baltic capitals for twelve years.",
    },
    {
        "slug": "tomas-okafor",
        "name": "Tomás Okafor",
        "role": "Political editor",
        "bio": "Tomás covers parliament and the parties.",
    },
    {
        "slug": "hannah-reyes",
        "name": "Hannah Reyes",
        "role": "Business reporter",
        "bio": "Hannah writes about ports, shipping and the companies that move goods.",
    },
    {
        "slug": "idris-campbell",
        "name": "Idris Campbell",
        "role": "Science correspondent",
        "bio": "Idris covers climate research and public health.",
    },
]

EXPERTS = [
    {
        "slug": "elias-varga",
        "name": "Elias Varga",
        "title": "researcher in international affairs",
        "affiliation": "Institute for Baltic Studies",
        "bio": "Elias studies security co-operation around the Baltic Sea.",
        "link": "https://baltic-studies.example.org/people/elias-varga",
    },
    {
        "slug": "noor-haddad",
        "name": "Noor Haddad",
        "title": "professor of economics",
        "affiliation": "University of Eastmoor",
        "bio": "Noor researches trade flows and inflation.",
        "link": "https://eastmoor.example.edu/economics/noor-haddad",
    },
    {
        "slug": "samuel-berg",
        "name": "Samuel Berg",
        "title": "senior analyst",
        "affiliation": "Harbourline Energy Consultancy",
        "bio": "Samuel advises utilities on grid storage and offshore wind.",
    },
    {
        "slug": "grace-whitlow",
        "name": "Grace Whitlow",
        "title": "climate scientist",
        "affiliation": "Coastal Research Centre",
        "bio": "Grace models sea-level rise on northern coasts.",
    },
]


def _paragraphs(*texts):
    return "".join(f"<p>{text}</p>" for text in texts)


# Live stories. hours_ago: how long before the demo is loaded the story was published.
ARTICLES = [
    {
        "slug": "northern-summit-leaves-questions-on-baltic-security",
        "headline": "Northern summit leaves open questions on Baltic security",
        "dek": "Leaders promised closer co-operation in Helsinki, but an outside researcher "
        "says the hard decisions have been postponed.",
        "section": "world",
        "authors": ["maria-lindqvist"],
        "hours_ago": 3,
        "tags": ["Finland", "Baltic Sea", "President Aino Salo", "Security"],
        "body": "<p>The heads of government of six northern countries ended two days of talks in "
        "Helsinki on Monday with a joint statement on maritime security, energy cables and "
        "civil defence.</p>"
        "<h2>What the president said</h2>"
        + _paragraphs(
            "At a press conference in the presidential palace, President Aino Salo said the "
            "meeting had shown that the region could act together. “We have agreed to share "
            "what our coastguards see, hour by hour,” she told reporters.",
            "She added that a permanent secretariat would be set up before the end of the year, "
            "although she declined to say where it would be based.",
        )
        + "<h2>An expert’s view</h2>"
        + _paragraphs(
            "Elias Varga, a researcher in international affairs at the Institute for Baltic "
            "Studies, confirmed that the statement went further than earlier summits on the "
            "exchange of surveillance data.",
            "He added, however, that the leaders had left the question of funding to their "
            "finance ministers.",
        )
        + "<h2>What comes next</h2>"
        + _paragraphs(
            "Varga expects the secretariat to be the real test. Without a budget, he said, "
            "the promise of hour-by-hour sharing would remain on paper.",
            "The next meeting is planned for the spring in Tallinn.",
        ),
        "quotes": [
            {
                "expert": "elias-varga",
                "kind": "paraphrase",
                "text": "The statement goes further than earlier summits on sharing surveillance "
                "data.",
                "context": "speaking after the summit in Helsinki",
            },
            {
                "expert": "elias-varga",
                "kind": "direct",
                "text": "The leaders have left the hardest question, who pays, to their finance "
                "ministers.",
                "context": "speaking after the summit in Helsinki",
            },
            {
                "expert": "elias-varga",
                "kind": "direct",
                "text": "Without a budget, hour-by-hour sharing stays on paper. The secretariat "
                "will be the real test.",
                "context": "on the summit's follow-up",
            },
        ],
    },
    {
        "slug": "budget-vote-delayed-after-late-night-talks",
        "headline": "Budget vote delayed after late-night talks",
        "dek": "The coalition needs another week to agree on spending for hospitals.",
        "section": "politics",
        "authors": ["tomas-okafor"],
        "hours_ago": 20,
        "tags": ["Budget", "Parliament"],
        "body": _paragraphs(
            "The vote on next year's budget has been postponed by a week after coalition "
            "partners failed to agree on hospital spending in talks that ran past midnight.",
            "The finance minister said the delay was “a matter of days, not a crisis”.",
        )
        + "<h2>Where the parties differ</h2>"
        + _paragraphs(
            "The smaller partner wants an extra allocation for regional hospitals; the larger "
            "one says the money must come from savings elsewhere.",
        ),
        "quotes": [],
    },
    {
        "slug": "port-volumes-recover-as-shipping-costs-fall",
        "headline": "Port volumes recover as shipping costs fall",
        "dek": "Container traffic is back to its level of two years ago.",
        "section": "business",
        "authors": ["hannah-reyes"],
        "hours_ago": 30,
        "tags": ["Shipping", "Trade"],
        "body": _paragraphs(
            "Container traffic through the country's three largest ports rose for the fourth "
            "month in a row, according to figures published on Tuesday.",
        )
        + "<h2>Cheaper freight</h2>"
        + _paragraphs(
            "The cost of shipping a container from East Asia has fallen by a third since the "
            "spring, which importers say has allowed them to rebuild stocks.",
        ),
        "quotes": [
            {
                "expert": "noor-haddad",
                "kind": "direct",
                "text": "Cheaper freight feeds through to shop prices within six months.",
                "context": "in an interview",
            }
        ],
    },
    {
        "slug": "coastal-towns-plan-for-higher-seas",
        "headline": "Coastal towns draw up plans for higher seas",
        "dek": "A new survey shows which harbours will need defences first.",
        "section": "science",
        "authors": ["idris-campbell"],
        "hours_ago": 5,
        "tags": ["Climate", "Sea level", "Coastal Research Centre"],
        "body": _paragraphs(
            "Eleven coastal towns will need new flood defences within twenty years, according "
            "to a survey published on Wednesday by the Coastal Research Centre.",
            "The survey combined tide-gauge records with satellite measurements of how fast the "
            "land itself is sinking.",
        )
        + "<h2>The towns most at risk</h2>"
        + _paragraphs(
            "Low-lying harbour towns on soft ground head the list. In several of them the "
            "existing sea walls were built for storms that now arrive every few years.",
        )
        + "<h2>Who pays</h2>"
        + _paragraphs(
            "Local councils say they cannot fund the work alone and want a national programme.",
            "The environment ministry said it would respond to the survey in the new year.",
        ),
        "quotes": [
            {
                "expert": "grace-whitlow",
                "kind": "direct",
                "text": "The sea is not rising evenly: where the land sinks, the same tide "
                "reaches further.",
                "context": "presenting the survey",
            },
            {
                "expert": "grace-whitlow",
                "kind": "paraphrase",
                "text": "Defences planned now would take a decade to build.",
                "context": "presenting the survey",
            },
        ],
    },
    {
        "slug": "wind-farm-cable-repaired-ahead-of-winter",
        "headline": "Wind farm cable repaired ahead of winter",
        "dek": "Engineers restored the link after six weeks of work at sea.",
        "section": "business",
        "authors": ["hannah-reyes"],
        "hours_ago": 9,
        "tags": ["Energy", "Offshore wind", "Baltic Sea"],
        "body": _paragraphs(
            "The export cable linking an offshore wind farm to the mainland grid is back in "
            "service after a repair that took six weeks, the operator said on Thursday.",
        )
        + "<h2>What went wrong</h2>"
        + _paragraphs(
            "A section of the cable was damaged in September. Investigators have not said "
            "whether a ship's anchor was to blame.",
        )
        + "<h2>Prices</h2>"
        + _paragraphs(
            "Wholesale electricity prices in the region rose while the farm was offline.",
        ),
        "quotes": [
            {
                "expert": "samuel-berg",
                "kind": "direct",
                "text": "One cable carried the whole farm's output. That is the lesson here.",
                "context": "in an interview",
            },
            {
                "expert": "samuel-berg",
                "kind": "paraphrase",
                "text": "Operators will now be asked to build a second link for large farms.",
                "context": "in an interview",
            },
        ],
    },
    {
        "slug": "ministers-agree-on-rail-link-funding",
        "headline": "Ministers agree on funding for northern rail link",
        "dek": "Work on the first section could start in two years.",
        "section": "politics",
        "authors": ["tomas-okafor", "maria-lindqvist"],
        "hours_ago": 26,
        "tags": ["Transport", "Budget"],
        "body": _paragraphs(
            "Transport ministers from three countries have agreed how to share the cost of a "
            "new rail link along the northern coast.",
            "The agreement, signed in Riga, splits the first phase's cost by the length of "
            "track in each country.",
        )
        + "<h2>The route</h2>"
        + _paragraphs(
            "The first section would connect two port cities; later phases depend on European "
            "funding that has not yet been approved.",
        )
        + "<h2>Opposition</h2>"
        + _paragraphs(
            "Farmers along the planned route have said they will challenge the land purchases "
            "in court.",
        ),
        "quotes": [],
    },
    {
        "slug": "central-bank-holds-rates-steady",
        "headline": "Central bank holds interest rates steady",
        "dek": "The governor said inflation was falling more slowly than hoped.",
        "section": "business",
        "authors": ["hannah-reyes"],
        "hours_ago": 50,
        "corrections": [
            {
                "kind": "correction",
                "text": "An earlier version of this story said the decision was announced on "
                "Wednesday. It was announced on Thursday.",
            }
        ],
        "tags": ["Interest rates", "Inflation"],
        "body": _paragraphs(
            "The central bank left its main interest rate unchanged on Thursday, as most "
            "economists had expected.",
        )
        + "<h2>The governor's warning</h2>"
        + _paragraphs(
            "At a press conference after the decision, the governor said services inflation "
            "remained stubborn and that the bank was in no hurry to cut.",
        )
        + "<h2>Markets</h2>"
        + _paragraphs("The currency rose slightly after the announcement."),
        "quotes": [
            {
                "expert": "noor-haddad",
                "kind": "direct",
                "text": "The bank is telling us that the next move is a cut, just not yet.",
                "context": "after the rate decision",
            },
        ],
    },
    {
        "slug": "fishing-quotas-set-for-next-year",
        "headline": "Fishing quotas set for next year after all-night talks",
        "dek": "Cod catches are cut again; herring quotas rise.",
        "section": "world",
        "authors": ["maria-lindqvist"],
        "hours_ago": 75,
        "tags": ["Fisheries", "Baltic Sea"],
        "body": _paragraphs(
            "Fisheries ministers agreed on next year's catch limits in the early hours of "
            "Tuesday after talks that lasted through the night.",
        )
        + "<h2>Cod</h2>"
        + _paragraphs(
            "Cod quotas in the eastern basin were cut for the third year running, following "
            "scientific advice that stocks have not recovered.",
        )
        + "<h2>Herring</h2>"
        + _paragraphs("Herring quotas rise by a tenth in the central basin."),
        "quotes": [],
    },
    {
        "slug": "hospital-waiting-lists-fall-for-first-time-in-years",
        "headline": "Hospital waiting lists fall for the first time in four years",
        "dek": "The health ministry credits weekend clinics; doctors' unions are cautious.",
        "section": "politics",
        "authors": ["tomas-okafor"],
        "hours_ago": 100,
        "tags": ["Health", "Parliament"],
        "body": _paragraphs(
            "The number of patients waiting more than a year for planned surgery fell in the "
            "third quarter, official figures show.",
        )
        + "<h2>Weekend clinics</h2>"
        + _paragraphs(
            "The ministry said extra weekend sessions for hip and knee operations had made the "
            "difference.",
        )
        + "<h2>Caution</h2>"
        + _paragraphs(
            "Doctors' unions warned that the winter would test whether the improvement lasts.",
        ),
        "quotes": [],
    },
    {
        "slug": "satellite-maps-reveal-shrinking-glaciers",
        "headline": "Satellite maps reveal how fast northern glaciers are shrinking",
        "dek": "A decade of images shows the ice retreating further each summer.",
        "section": "science",
        "authors": ["idris-campbell"],
        "hours_ago": 130,
        "tags": ["Climate", "Glaciers"],
        "body": _paragraphs(
            "Glaciers in the northern mountains lost more ice in the past decade than in the "
            "thirty years before, according to a study of satellite images.",
        )
        + "<h2>How the maps were made</h2>"
        + _paragraphs(
            "Researchers compared summer images taken each year since 2014, measuring the "
            "position of each glacier's front.",
        )
        + "<h2>Water supplies</h2>"
        + _paragraphs(
            "Towns in the valleys depend on meltwater in late summer, and the study's authors "
            "say that supply will become less reliable.",
        ),
        "quotes": [
            {
                "expert": "grace-whitlow",
                "kind": "paraphrase",
                "text": "The retreat seen from space matches what field teams have measured on "
                "the ground.",
                "context": "commenting on the study",
            },
        ],
    },
    {
        "slug": "port-strike-called-off-after-pay-deal",
        "headline": "Port strike called off after pay deal",
        "dek": "Dock workers accept a two-year agreement.",
        "section": "business",
        "authors": ["hannah-reyes"],
        "hours_ago": 160,
        "tags": ["Shipping", "Trade unions"],
        "body": _paragraphs(
            "A strike that threatened to close the country's largest container port was "
            "called off on Friday after workers voted to accept a new pay offer.",
        )
        + "<h2>The deal</h2>"
        + _paragraphs(
            "The agreement raises pay in two steps and limits the number of night shifts a "
            "worker can be asked to take.",
        ),
        "quotes": [],
    },
    {
        "slug": "election-commission-publishes-new-constituency-map",
        "headline": "Election commission publishes new constituency map",
        "dek": "Cities gain seats; three rural constituencies are merged.",
        "section": "politics",
        "authors": ["tomas-okafor"],
        "hours_ago": 200,
        "tags": ["Elections", "Parliament"],
        "body": _paragraphs(
            "The independent election commission has published its proposals for new "
            "constituency boundaries, the first review in ten years.",
        )
        + "<h2>What changes</h2>"
        + _paragraphs(
            "Growing cities gain four seats. Three rural constituencies in the north are "
            "merged into two.",
        )
        + "<h2>What happens next</h2>"
        + _paragraphs(
            "The public can comment on the proposals for eight weeks before the commission "
            "makes its final recommendations to parliament.",
        ),
        "quotes": [],
    },
]

# The desk's work in progress, so that a fresh install's dashboard (the admin's
# front page) has something in each list. None of these is on the public site.
# state: "draft", "review" or "scheduled"; a scheduled story goes live
# ``goes_live`` = (days after the day the demo is loaded, "HH:MM" local time).
DESK_ARTICLES = [
    {
        "slug": "night-bus-cuts-strain-city-coalition",
        "state": "draft",
        "headline": "Night bus cuts put strain on city council coalition",
        # Still being written: no standfirst yet, so the publish checklist has
        # something to say when the story is opened.
        "dek": "",
        "section": "politics",
        "authors": ["tomas-okafor"],
        "tags": ["Transport", "City council"],
        "body": _paragraphs(
            "Plans to withdraw six of the city's eleven night bus routes from April have opened "
            "a rift in the council's ruling coalition, with two councillors saying they will "
            "vote against the transport budget unless the cuts are reconsidered.",
            "The transport committee says the routes carry fewer than twenty passengers an hour "
            "after midnight and cost the city more per journey than any other service it funds.",
        )
        + "<h2>Who uses the buses</h2>"
        + _paragraphs(
            "Hospital cleaners, bakery workers and bar staff make up most of the passengers on "
            "the routes marked for closure, according to a survey the operator carried out in "
            "the autumn. Many of them finish work long after the last train has left.",
            "TO COME: the transport authority's cost per journey for each route, promised for "
            "Thursday.",
        ),
        "quotes": [],
    },
    {
        "slug": "school-air-filter-trial-fewer-sick-days",
        "state": "draft",
        "headline": "Air filters in classrooms cut sick days, early trial results suggest",
        "dek": "Pupils in rooms with portable filters missed a fifth fewer days over the winter.",
        "section": "science",
        "authors": ["idris-campbell"],
        "tags": ["Health", "Schools"],
        "body": _paragraphs(
            "Classrooms fitted with portable air filters recorded a fifth fewer days lost to "
            "illness over the winter than classrooms without them, according to early results "
            "from a trial in forty primary schools.",
            "The trial, run by the regional health authority, placed filters in half of the "
            "classrooms in each school, chosen at random, and counted absences from November "
            "to March.",
        )
        + "<h2>Early days</h2>"
        + _paragraphs(
            "The researchers stress that the results have not yet been reviewed by other "
            "scientists, and that a single mild winter may flatter the filters.",
            "A second year of the trial starts in the autumn, with carbon dioxide monitors "
            "added to every classroom taking part.",
        ),
        "quotes": [],
    },
    {
        "slug": "grain-exporters-turn-to-rail-as-river-falls",
        "state": "review",
        "headline": "Grain exporters turn to rail as river levels fall",
        "dek": "Low water has halved what barges can carry, and the railways are running short "
        "of wagons.",
        "section": "business",
        "authors": ["hannah-reyes"],
        "tags": ["Trade", "Agriculture"],
        "body": _paragraphs(
            "Grain traders are moving this year's harvest to the coast by rail after a dry "
            "summer left the river too shallow for fully loaded barges, pushing up the cost of "
            "getting wheat to the ports.",
            "Barges on the lower river are sailing at half their usual load, according to the "
            "inland shipping association, and some operators have laid up their largest vessels "
            "until the autumn rains arrive.",
        )
        + "<h2>Not enough wagons</h2>"
        + _paragraphs(
            "The national rail freight company said it had added four grain trains a day but "
            "could not add more before the new year: every suitable wagon it owns is already "
            "in use.",
            "Exporters say the price of moving a tonne of wheat from the plains to the coast "
            "has risen by more than a third since July.",
        )
        + "<h2>Who pays</h2>"
        + _paragraphs(
            "Farmers who sold their crop before the harvest are shielded for now; those "
            "selling on the spot market are being offered less to cover the higher freight.",
        ),
        "quotes": [
            {
                "expert": "noor-haddad",
                "kind": "direct",
                "text": "When the river fails, every tonne that moves by rail costs more, and "
                "that cost ends up in the price of bread.",
                "context": "in an interview",
            }
        ],
    },
    {
        "slug": "archipelago-schools-face-closure",
        "state": "review",
        "headline": "Archipelago schools face closure as families move to the mainland",
        "dek": "Three island schools have fewer than ten pupils each, and the regional council "
        "must decide their future by March.",
        "section": "world",
        "authors": ["maria-lindqvist"],
        "tags": ["Finland", "Schools"],
        "body": _paragraphs(
            "On the outer islands of the archipelago, the school ferry now carries more "
            "teachers than children. Three village schools have fewer than ten pupils between "
            "them, and the regional council has said it cannot keep all three open.",
            "Parents have formed an association to fight the closures. They say that without "
            "a school no young family will move to the islands, and that the last shop and "
            "the year-round ferry will follow.",
        )
        + "<h2>The council's sums</h2>"
        + _paragraphs(
            "Each pupil on the islands costs the council four times what a pupil on the "
            "mainland does, a council spokesman said. Keeping one school and ferrying the "
            "other children to it is the option officials favour.",
        ),
        "quotes": [],
    },
    {
        "slug": "parliament-returns-what-to-watch",
        "state": "scheduled",
        "goes_live": (1, "07:00"),
        "headline": "What to watch as parliament returns from its winter recess",
        "dek": "A budget still not passed, new constituency boundaries and a fight over the "
        "northern rail link: the week ahead.",
        "section": "politics",
        "authors": ["tomas-okafor"],
        "tags": ["Parliament", "Budget"],
        "body": _paragraphs(
            "Members return to parliament this morning with the same problem they left behind: "
            "the coalition has still not agreed next year's budget.",
        )
        + "<h2>The budget</h2>"
        + _paragraphs(
            "The finance minister is expected to bring a revised plan to the cabinet on "
            "Tuesday. The sticking point remains money for regional hospitals.",
        )
        + "<h2>New boundaries</h2>"
        + _paragraphs(
            "The consultation on the election commission's new constituency map closes on "
            "Friday. Rural members of both governing parties have asked for more time.",
        )
        + "<h2>The rail link</h2>"
        + _paragraphs(
            "The transport committee questions the minister on Wednesday about the cost of the "
            "northern rail link and the farmers' court challenge over land along the route.",
        ),
        "quotes": [],
    },
    {
        "slug": "herring-return-to-southern-baltic",
        "state": "scheduled",
        # Embargoed until the survey's publication time.
        "goes_live": (1, "18:00"),
        "headline": "Herring return to the southern Baltic after a decade of low catches",
        "dek": "Fisheries scientists find the spawning stock has doubled since catch limits "
        "were cut.",
        "section": "science",
        "authors": ["idris-campbell"],
        "tags": ["Fisheries", "Baltic Sea"],
        "body": _paragraphs(
            "The herring stock in the southern Baltic has doubled in size over six years, "
            "according to a survey by fisheries scientists published this evening, the first "
            "sign of recovery since catches collapsed a decade ago.",
            "The survey counted young fish in the spawning grounds along the coast each spring "
            "and combined the counts with what fishing boats landed.",
        )
        + "<h2>Why now</h2>"
        + _paragraphs(
            "The scientists credit the lower catch limits agreed six years ago, and two mild "
            "winters in which more eggs survived.",
            "They warn that the stock is still below the level at which it can safely be "
            "fished as it once was, and advise against raising the limits next year.",
        ),
        "quotes": [],
    },
]
