/**
 * Gazetteer: turns a transaction's `location` string ("City, CC", CC an ISO 3166-1 alpha-2
 * country code, e.g. "Douala, CM") into coordinates, so that the engine can measure how far a
 * customer moved between two transactions.
 *
 * A place that is not in the table gives `undefined`: this module never guesses a point.
 *
 * Pure: no I/O, no dependencies.
 */

export interface Place {
  city: string;
  country: string;
  lat: number;
  lon: number;
}

/** Mean earth radius (IUGG), in km. */
const EARTH_RADIUS_KM = 6371.0088;

/**
 * [city, ISO 3166-1 alpha-2 country, latitude, longitude].
 *
 * Source of the coordinates: well-known city-centre coordinates (WGS84, decimal degrees, 4
 * decimals, about 10 m), as published by the GeoNames gazetteer (geonames.org) for each city and
 * checked one by one against the city's usual reference point. Two cities use their downtown
 * instead of GeoNames' point, which lies 5 to 6 km away: Abidjan (Le Plateau) and Toronto (City
 * Hall). Where a city's centre is a matter of convention, other sources may differ by a
 * kilometre or two, far below what a travel-speed check needs.
 */
const ROWS: ReadonlyArray<readonly [city: string, country: string, lat: number, lon: number]> = [
  // United States
  ["New York", "US", 40.7143, -74.006],
  ["Los Angeles", "US", 34.0522, -118.2437],
  ["Chicago", "US", 41.85, -87.65],
  ["Miami", "US", 25.7743, -80.1937],
  ["Seattle", "US", 47.6062, -122.3321],
  ["San Francisco", "US", 37.7749, -122.4194],
  ["Boston", "US", 42.3584, -71.0598],
  ["Washington", "US", 38.8951, -77.0364],
  ["Houston", "US", 29.7633, -95.3633],
  ["Dallas", "US", 32.7831, -96.8067],
  ["Atlanta", "US", 33.749, -84.388],
  ["Denver", "US", 39.7392, -104.9847],
  ["Las Vegas", "US", 36.175, -115.1372],
  ["Phoenix", "US", 33.4484, -112.074],

  // Cameroon
  ["Douala", "CM", 4.0483, 9.7043],
  ["Yaoundé", "CM", 3.8667, 11.5167],
  ["Garoua", "CM", 9.3014, 13.3977],
  ["Bamenda", "CM", 5.9597, 10.146],
  ["Maroua", "CM", 10.591, 14.3159],
  ["Bafoussam", "CM", 5.4778, 10.4176],
  ["Ngaoundéré", "CM", 7.3277, 13.5847],
  ["Bertoua", "CM", 4.5773, 13.6846],
  ["Kumba", "CM", 4.6363, 9.4469],
  ["Limbe", "CM", 4.0236, 9.2061],
  ["Buea", "CM", 4.1534, 9.2423],
  ["Ebolowa", "CM", 2.9, 11.15],
  ["Kribi", "CM", 2.9373, 9.9077],
  ["Nkongsamba", "CM", 4.9547, 9.9404],
  ["Edéa", "CM", 3.8, 10.1333],
  ["Dschang", "CM", 5.444, 10.0533],
  ["Foumban", "CM", 5.7266, 10.8986],
  ["Kousseri", "CM", 12.0769, 15.0306],
  ["Mbalmayo", "CM", 3.5167, 11.5],
  ["Sangmélima", "CM", 2.9333, 11.9833],

  // Gabon
  ["Libreville", "GA", 0.3924, 9.4536],
  ["Port-Gentil", "GA", -0.7193, 8.7815],
  ["Franceville", "GA", -1.6333, 13.5833],
  ["Oyem", "GA", 1.5995, 11.5793],
  ["Moanda", "GA", -1.5665, 13.1987],
  ["Lambaréné", "GA", -0.7001, 10.2406],

  // Republic of the Congo
  ["Brazzaville", "CG", -4.2661, 15.2832],
  ["Pointe-Noire", "CG", -4.7761, 11.8635],
  ["Dolisie", "CG", -4.1983, 12.6666],
  ["Nkayi", "CG", -4.184, 13.2859],
  ["Owando", "CG", -0.4819, 15.8999],

  // Chad
  ["N'Djamena", "TD", 12.1067, 15.0444],
  ["Moundou", "TD", 8.5744, 16.0772],
  ["Sarh", "TD", 9.1456, 18.3833],
  ["Abéché", "TD", 13.8292, 20.8324],
  ["Kélo", "TD", 9.3086, 15.8066],

  // Central African Republic
  ["Bangui", "CF", 4.3612, 18.555],
  ["Bimbo", "CF", 4.2567, 18.4158],
  ["Berbérati", "CF", 4.2612, 15.7922],
  ["Carnot", "CF", 4.9427, 15.8773],
  ["Bambari", "CF", 5.7679, 20.6757],
  ["Bouar", "CF", 5.934, 15.596],

  // Equatorial Guinea
  ["Malabo", "GQ", 3.7558, 8.7817],
  ["Bata", "GQ", 1.8639, 9.7658],
  ["Ebebiyín", "GQ", 2.1522, 11.3301],
  ["Mongomo", "GQ", 1.6274, 11.3135],

  // Africa: hubs
  ["Lagos", "NG", 6.4541, 3.3947],
  ["Abuja", "NG", 9.0579, 7.4951],
  ["Kano", "NG", 12.0002, 8.5167],
  ["Kinshasa", "CD", -4.3276, 15.3136],
  ["Lubumbashi", "CD", -11.6609, 27.4794],
  ["Moanda", "CD", -5.9275, 12.3715], // the DRC's Atlantic port (also Muanda); not Moanda, GA
  ["Accra", "GH", 5.556, -0.1969],
  ["Abidjan", "CI", 5.3167, -4.0333],
  ["Dakar", "SN", 14.6937, -17.4441],
  ["Nairobi", "KE", -1.2833, 36.8167],
  ["Johannesburg", "ZA", -26.2023, 28.0436],
  ["Cape Town", "ZA", -33.9258, 18.4232],
  ["Cairo", "EG", 30.0626, 31.2497],
  ["Casablanca", "MA", 33.5883, -7.6114],

  // Europe
  ["Paris", "FR", 48.8534, 2.3488],
  ["Lyon", "FR", 45.7491, 4.8479],
  ["Marseille", "FR", 43.297, 5.3811],
  ["Brussels", "BE", 50.8505, 4.3488],
  ["London", "GB", 51.5085, -0.1257],
  ["Berlin", "DE", 52.5244, 13.4105],
  ["Madrid", "ES", 40.4165, -3.7026],
  ["Rome", "IT", 41.8919, 12.5113],
  ["Geneva", "CH", 46.2022, 6.1457],

  // Middle East and Asia
  ["Dubai", "AE", 25.0772, 55.3093],
  ["Istanbul", "TR", 41.0138, 28.9497],
  ["Beijing", "CN", 39.9075, 116.3972],
  ["Shanghai", "CN", 31.2222, 121.4581],
  ["Guangzhou", "CN", 23.1167, 113.25],
  ["Mumbai", "IN", 19.0728, 72.8826],
  ["Tokyo", "JP", 35.6895, 139.6917],

  // Canada
  ["Montreal", "CA", 45.5088, -73.5878],
  ["Toronto", "CA", 43.6532, -79.3832],
];

/**
 * Other names for places of the table: [alias, country, city as in the table]. Spelling
 * variants that only differ by accents, case, spacing, hyphens or apostrophes need no alias.
 * An alias is a name like any other, so one given without a country also matches only while no
 * other place bears it; names that many places in the world bear (Victoria, Canton) are left out.
 */
const ALIASES: ReadonlyArray<readonly [alias: string, country: string, city: string]> = [
  ["NYC", "US", "New York"],
  ["New York City", "US", "New York"],
  ["LA", "US", "Los Angeles"],
  ["SF", "US", "San Francisco"],
  ["Washington DC", "US", "Washington"],
  ["Washington D.C.", "US", "Washington"],
  ["Vegas", "US", "Las Vegas"],
  ["Yde", "CM", "Yaoundé"],
  ["Kusseri", "CM", "Kousseri"],
  ["Fort-Lamy", "TD", "N'Djamena"],
  ["Muanda", "CD", "Moanda"],
  ["Bruxelles", "BE", "Brussels"],
  ["Brussel", "BE", "Brussels"],
  ["Genève", "CH", "Geneva"],
  ["Genf", "CH", "Geneva"],
  ["Marseilles", "FR", "Marseille"],
  ["Roma", "IT", "Rome"],
  ["Le Cap", "ZA", "Cape Town"],
  ["Le Caire", "EG", "Cairo"],
  ["Bombay", "IN", "Mumbai"],
  ["Peking", "CN", "Beijing"],
];

/** Other spellings of country codes: "UK" is reserved by ISO for the United Kingdom (GB). */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: "GB" };

/**
 * Folds a name to its lookup key: no accents, lower case, apostrophes and dots dropped, hyphens
 * and runs of white space made one space. "N'Djamena" and "Ndjamena" share a key, so do
 * "Yaoundé" and " YAOUNDE ".
 */
function fold(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’‘`´.]/g, "")
    .replace(/[\s\-‐‑–—_]+/g, " ")
    .trim();
}

const PLACES: readonly Place[] = ROWS.map(([city, country, lat, lon]) => Object.freeze({ city, country, lat, lon }));

/** Folded city name -> the places (one per country) that bear it. */
const INDEX = new Map<string, Place[]>();

function addName(name: string, place: Place): void {
  const key = fold(name);
  const list = INDEX.get(key) ?? [];
  if (!list.some((p) => p.country === place.country)) list.push(place);
  INDEX.set(key, list);
}

for (const place of PLACES) addName(place.city, place);
for (const [alias, country, city] of ALIASES) {
  const place = PLACES.find((p) => p.country === country && p.city === city);
  if (place === undefined) throw new Error(`geo: alias ${alias} names ${city}, ${country}, which is not in the table`);
  addName(alias, place);
}

/** Number of places in the gazetteer (aliases not counted). */
export const GAZETTEER_SIZE: number = PLACES.length;

/**
 * The place a `location` string names, or `undefined` when it names none that the gazetteer
 * knows. "City, CC": case, accents, extra spaces don't matter; the country, when given, must
 * match. "City" alone matches only a city name that exactly one place bears.
 */
export function lookupPlace(location: string): Place | undefined {
  if (typeof location !== "string") return undefined;
  const comma = location.lastIndexOf(",");
  const cityPart = comma < 0 ? location : location.slice(0, comma);
  const countryPart =
    comma < 0
      ? ""
      : location
          .slice(comma + 1)
          .trim()
          .toUpperCase();

  const candidates = INDEX.get(fold(cityPart));
  if (candidates === undefined) return undefined;

  if (countryPart === "") return candidates.length === 1 ? candidates[0] : undefined;
  const country = COUNTRY_ALIASES[countryPart] ?? countryPart;
  return candidates.find((p) => p.country === country);
}

/** The gazetteer's cities of a country (ISO 3166-1 alpha-2), in the table's order: largest first. */
export function citiesOf(country: string): readonly Place[] {
  const code = country.trim().toUpperCase();
  return PLACES.filter((p) => p.country === (COUNTRY_ALIASES[code] ?? code));
}

/** Great-circle distance in km between two points (haversine, mean earth radius 6371.0088 km). */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))));
}

/**
 * Distance in km between two `location` strings, or `undefined` when either is absent or not
 * in the gazetteer.
 */
export function distanceKm(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const a = lookupPlace(from);
  const b = lookupPlace(to);
  if (a === undefined || b === undefined) return undefined;
  return haversineKm(a, b);
}
