"""Incident vocabulary of the event detector (English, French, German, Spanish).

Words that name the emergency services and what they do, hazards, and harm to people: the words an
eyewitness uses in the first minute of an incident ("police", "helicopter", "smoke", "flooded",
"injured"), after the categories of the CrisisLex lexicon (Olteanu et al., ICWSM 2014: caution and
advice, damage, injured and dead, displaced and evacuated, emergency response). A burst of one of
them is much more likely to be news than a burst of an arbitrary word, so the event detector accepts
weaker evidence for it (``EventSettings.incident_log_p``). The list is written for any city and any
incident, not for a scenario: no place names, no event names, no words that are not about an
emergency. Inflected forms are listed because terms are not stemmed.
"""

from __future__ import annotations

__all__ = ["INCIDENT_WORDS", "is_incident_term"]

_WORDS = """
police policeman policemen policewoman officers cops copper coppers swat firefighters firefighter firemen
fireman ambulance ambulances paramedics paramedic helicopter helicopters chopper sirens siren cordon
cordoned coastguard lifeboat rescue rescued rescuers rescuing search searching searches searched
evacuate evacuated evacuating evacuation evacuations arrested arrests lockdown emergency emergencies
fire fires blaze ablaze flames burning smoke explosion explosions exploded blast bomb gunshots gunfire
gunman shooting shootings shots stabbing stabbed knife riot riots rioting rioters disorder looting
looters brawl crash crashed collision collapse collapsed flood floods flooded flooding floodwater
earthquake tremor landslide tornado hurricane derailed injured injuries casualties dead killed
victims trapped hostage attack attacked wounded
policier policiers gendarmes gendarmerie pompiers ambulances samu hélicoptère hélicoptères sirènes
secours sauveteurs sauvetage recherches évacuation évacué évacuée évacués évacuées incendie incendies
flammes fumée explosion explosé fusillade émeute émeutes émeutiers pillage pillages accident
effondrement effondré effondrée inondation inondations inondé inondée inondés inondées crue crues
séisme blessé blessée blessés blessées morts victimes piégés otage attaque urgence alerte
polizei polizisten polizeiwagen feuerwehr rettungsdienst rettungswagen krankenwagen notarzt
hubschrauber sirenen absperrung abgesperrt großeinsatz einsatzkräfte rettung
evakuiert evakuierung festgenommen brand brände feuer flammen rauch explosion schüsse schießerei
messer messerangriff krawalle ausschreitungen plünderungen unfall einsturz eingestürzt hochwasser
überschwemmung überschwemmt überflutet erdbeben verletzte verletzt tote opfer eingeschlossen geisel
angriff notfall
policía policías bomberos ambulancia ambulancias helicóptero helicópteros sirenas acordonado rescate
rescatados búsqueda evacuación evacuados evacuadas detenidos emergencia incendio incendios
fuego llamas humo explosión disparos tiroteo apuñalado disturbios saqueos accidente derrumbe
inundación inundaciones inundado inundada inundados inundadas terremoto heridos herido heridas muertos
víctimas atrapados rehén ataque
"""

#: The incident vocabulary, lower case (terms are lower-cased before they are looked up).
INCIDENT_WORDS = frozenset(_WORDS.split())


def is_incident_term(term: str) -> bool:
    """Whether ``term`` (a detector term: a word or a hashtag) is a word of the incident vocabulary."""
    return term.removeprefix("#") in INCIDENT_WORDS
