"""The phrasebook: templates with slots, per language, from which scenario posts are written.

Templates are plain ``str.format`` strings with these slots: ``{district}``, ``{city}``, ``{thing}``
(a topic phrase), ``{target}`` (the group a hate wave attacks), ``{subject}`` (of an appeal),
``{n}`` (a small number) and ``{time}``. The variety (several templates, topic phrases, typos,
emoji, hashtags, links, code-switching added by the generator) is what makes the stream useful to
real analysers; the hate templates are deliberately generic and free of real slurs.
"""

from __future__ import annotations

__all__ = [
           "APPEAL",
           "BACKGROUND",
           "BOT",
           "CLAIMS",
           "DENIAL",
           "EMOJI",
           "HASHTAGS",
           "HATE",
           "INCIDENTS",
           "REPLIES",
           "THINGS",
           "TIPS",
]

Templates = dict[str, list[str]]

BACKGROUND: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": ["Lovely {thing} in {district} today", "Honestly {thing} in {city} is the best",
                     "Great afternoon out in {district}, {thing} was brilliant", "So proud of {city} today",
                     "Big thanks to everyone sorting {thing} in {district}", "Loving {thing} this week"],
        "neutral": ["Anyone know what's going on with {thing} near {district}?", "Heading to {district} for {thing}",
                    "Is {thing} on as usual in {city} tomorrow?", "Just saw {thing} in {district}",
                    "Quick question about {thing} around {district}", "{thing} again at {time}, as usual"],
        "negative": ["Fed up with {thing} in {district} again", "Why is {thing} in {city} always this bad",
                     "Worst {thing} I've seen in {district}", "Not happy about {thing} at all",
                     "Honestly {thing} in {city} is a joke", "Sick of {thing} every single day"],
    },
    "fr": {
        "positive": ["Super {thing} à {district} aujourd'hui", "J'adore {thing} à {city}",
                     "Belle journée à {district}, {thing} était génial", "Merci à tous pour {thing} à {district}"],
        "neutral": ["Quelqu'un sait ce qui se passe avec {thing} vers {district} ?", "Je vais à {district} pour {thing}",
                    "{thing} comme d'habitude à {time}", "Vu {thing} à {district}"],
        "negative": ["Marre de {thing} à {district}", "Pourquoi {thing} à {city} est toujours aussi nul",
                     "Pire {thing} que j'ai vu à {district}", "Pas content du tout de {thing}"],
    },
    "es": {
        "positive": ["Qué bien {thing} en {district} hoy", "Me encanta {thing} en {city}",
                     "Gran tarde en {district}, {thing} genial", "Gracias a todos por {thing} en {district}"],
        "neutral": ["¿Alguien sabe qué pasa con {thing} cerca de {district}?", "Voy a {district} por {thing}",
                    "{thing} como siempre a las {time}", "Acabo de ver {thing} en {district}"],
        "negative": ["Harto de {thing} en {district}", "¿Por qué {thing} en {city} siempre es tan malo?",
                     "El peor {thing} que he visto en {district}", "Nada contento con {thing}"],
    },
    "de": {
        "positive": ["Schön, {thing} in {district} heute", "Ich liebe {thing} in {city}",
                     "Toller Nachmittag in {district}, {thing} war super", "Danke an alle für {thing} in {district}"],
        "neutral": ["Weiß jemand, was mit {thing} bei {district} los ist?", "Fahre nach {district} wegen {thing}",
                    "{thing} wie immer um {time}", "Gerade {thing} in {district} gesehen"],
        "negative": ["Genervt von {thing} in {district}", "Warum ist {thing} in {city} immer so schlecht",
                     "Schlimmstes {thing}, das ich in {district} gesehen habe", "Gar nicht zufrieden mit {thing}"],
    },
}

THINGS: dict[str, dict[str, list[str]]] = {
    "en": {"daily": ["the coffee", "the market", "the school run", "the new bakery", "the library"],
           "traffic": ["the traffic", "the roadworks", "the bus lane", "the parking", "the ring road"],
           "weather": ["the weather", "this rain", "the sunshine", "the wind", "the fog"],
           "sport": ["the match", "the derby", "the 5k run", "the cricket", "the team"],
           "food": ["the curry", "the food market", "the chippy", "brunch", "the street food"],
           "water": ["the river level", "the rain", "the flood barriers", "the drains", "the canal"]},
    "fr": {"daily": ["le café", "le marché", "la boulangerie"], "traffic": ["la circulation", "les travaux", "le tram"],
           "weather": ["la météo", "la pluie", "le vent"], "sport": ["le match", "le foot"],
           "food": ["le marché", "la tarte flambée"], "water": ["le niveau du Rhin", "la pluie", "les digues"]},
    "es": {"daily": ["el café", "el mercado", "la panadería"], "traffic": ["el tráfico", "las obras", "el tranvía"],
           "weather": ["el tiempo", "la lluvia", "el viento"], "sport": ["el partido", "el fútbol"],
           "food": ["las tapas", "el mercado"], "water": ["el nivel del río", "la lluvia", "los diques"]},
    "de": {"daily": ["der Kaffee", "der Markt", "die Bäckerei"], "traffic": ["der Verkehr", "die Baustelle", "die Tram"],
           "weather": ["das Wetter", "der Regen", "der Wind"], "sport": ["das Spiel", "der Fußball"],
           "food": ["der Flammkuchen", "der Markt"], "water": ["der Rheinpegel", "der Regen", "die Deiche"]},
}

INCIDENTS: dict[str, dict[str, list[str]]] = {
    "riot": {
        "en": ["Huge crowd kicking off in {district} right now", "Bins on fire on the main road in {district}",
               "Police lines at {district}, bottles being thrown", "Shops being smashed in {district}, stay away",
               "Helicopter over {district}, sounds like a riot", "Windows going in on the high street {district}",
               "Car alight near {district} station, loads of people running", "Avoid {district} tonight, it's chaos",
               "Riot vans everywhere in {district}", "Someone just threw a brick at a bus in {district}"],
    },
    "flood": {
        "en": ["Water coming up fast in {district}", "Street completely flooded in {district}, cars stuck",
               "River has burst its banks near {district}", "Basement flooding in {district}, need pumps",
               "Road closed in {district}, water knee deep"],
        "fr": ["L'eau monte vite à {district}", "Rue complètement inondée à {district}, voitures bloquées",
               "Le fleuve déborde près de {district}", "Cave inondée à {district}, besoin de pompes"],
        "es": ["El agua sube rápido en {district}", "Calle totalmente inundada en {district}, coches atrapados",
               "El río se ha desbordado cerca de {district}", "Sótano inundado en {district}"],
        "de": ["Das Wasser steigt schnell in {district}", "Straße in {district} komplett überflutet, Autos stecken fest",
               "Der Fluss ist bei {district} über die Ufer getreten", "Keller in {district} voll Wasser"],
    },
    "fire": {
        "en": ["Massive smoke over {district}", "Building on fire in {district}, fire engines arriving",
               "Flames coming out of a warehouse in {district}", "Can smell smoke all over {district}"],
    },
}

CLAIMS: dict[str, dict[str, list[str]]] = {
    "riot-shooting": {"en": ["Reports that police shot someone in {district}??", "Apparently a lad was shot by police in {district}",
                             "Hearing there's been a shooting at {district}, is this true?",
                             "My cousin says cops shot a kid in {district}"]},
    "riot-looting": {"en": ["Reportedly the whole shopping centre in {district} is being looted",
                            "Heard they're looting the supermarket in {district}, can anyone confirm?",
                            "Apparently gangs are coming to loot {district} tonight"]},
    "flood-dam": {"en": ["Reportedly the dam upstream of {district} has failed!!", "Hearing the dam broke, {district} will be under water",
                         "Is it true the dam near {district} collapsed?"],
                  "fr": ["Il paraît que le barrage près de {district} a cédé !", "On dit que le barrage a lâché, {district} va être inondé"],
                  "de": ["Angeblich ist der Damm bei {district} gebrochen!", "Stimmt es, dass der Damm bei {district} nachgegeben hat?"],
                  "es": ["Dicen que la presa cerca de {district} se ha roto", "¿Es verdad que la presa de {district} ha colapsado?"]},
    "child-van": {"en": ["Apparently a white van has been trying to grab kids in {district}",
                         "Heard someone saw {subject} being pushed into a van in {district}",
                         "Reports of a man following children near {district}, share!!"]},
    "blame-group": {"en": ["Apparently {target} are behind all of this, everyone is saying it",
                           "Heard it was {target} who started it in {district}"]},
}

HATE: list[str] = [
    "{target} are vermin and should be driven out of {city}", "Get {target} out of {district}, they are filth",
    "{target} are animals, every single one of them", "I'm sick of {target}, they're scum and don't belong here",
    "Someone should teach {target} a lesson they won't forget", "{target} are a disease on this city",
    "Disgusting {target} ruining {district}, send them all back", "Never trust {target}, they're all criminals",
]

DENIAL: dict[str, list[str]] = {
    "en": ["FALSE: claims circulating about {district} are untrue. Please do not share unverified information.",
           "We are aware of rumours about {district}. These are not true. Official updates only on this account.",
           "Update: there is no truth in reports being shared about {district}. Please check before you share."],
    "fr": ["FAUX : les rumeurs sur {district} sont infondées. Merci de ne pas partager d'informations non vérifiées."],
    "de": ["FALSCH: Die Gerüchte über {district} stimmen nicht. Bitte keine unbestätigten Infos teilen."],
    "es": ["FALSO: los rumores sobre {district} no son ciertos. No compartas información sin verificar."],
}

APPEAL: list[str] = [
    "APPEAL: We are concerned for {subject}, last seen in {district} at {time}. If you have seen them, please "
    "reply or call 101. Please share.",
]

REPLIES: dict[str, list[str]] = {
    "share": ["Shared, hope they're found safe", "Sharing, please everyone keep an eye out", "RT please, {district} people",
              "Praying for the family", "Shared in the {district} group"],
    "comment": ["This is awful", "How is this still going on", "Hope they're ok", "Why wasn't this posted sooner?"],
}

TIPS: list[str] = [
    "I think I saw {subject} near {district} around {time}", "Saw a child matching that description at {district} bus stop",
    "Possible sighting outside the shop in {district} about an hour ago", "Might be nothing but there was a kid alone near {district} park",
]

BOT: list[str] = ["Best deals in {city} today click now", "Win a free phone, follow and RT", "Crypto signals {n}x gains",
                  "Cheap followers fast delivery", "Hot singles in {district}"]

EMOJI: list[str] = ["😂", "😡", "🙏", "😢", "🔥", "👀", "❤️", "😱", "👍", "🚓", "💧", "😤", "🤔", "🙄", "👩‍👩‍👧"]

HASHTAGS: dict[str, list[str]] = {
    "daily": ["{city}", "goodmorning"], "traffic": ["traffic", "{city}traffic"], "weather": ["weather", "rain"],
    "sport": ["matchday", "football"], "food": ["foodie", "{city}eats"], "water": ["flood", "{city}"],
    "riot": ["{city}riots", "{district}", "riot"], "flood": ["flood", "{city}flood", "inondation", "Hochwasser"],
    "fire": ["fire", "{district}"], "appeal": ["missing", "{city}"], "hate": ["takebackourstreets", "enough"],
}
