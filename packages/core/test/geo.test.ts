import { describe, it, expect } from "vitest";
import { distanceKm, GAZETTEER_SIZE, haversineKm, lookupPlace, type Place } from "../src/features/geo.ts";

const R = 6371.0088;

/** Expects `actual` within `tolerance` (a fraction, 0.01 = 1 %) of `expected`. */
function expectWithin(actual: number | undefined, expected: number, tolerance = 0.01): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(expected * tolerance);
}

function place(location: string): Place {
  const p = lookupPlace(location);
  if (p === undefined) throw new Error(`${location} not in the gazetteer`);
  return p;
}

const REQUIRED: Record<string, string[]> = {
  US: [
    "New York",
    "Los Angeles",
    "Chicago",
    "Miami",
    "Seattle",
    "San Francisco",
    "Boston",
    "Washington",
    "Houston",
    "Dallas",
    "Atlanta",
    "Denver",
    "Las Vegas",
    "Phoenix",
  ],
  CM: [
    "Douala",
    "Yaoundé",
    "Garoua",
    "Bamenda",
    "Maroua",
    "Bafoussam",
    "Ngaoundéré",
    "Bertoua",
    "Kumba",
    "Limbe",
    "Buea",
    "Ebolowa",
    "Kribi",
    "Nkongsamba",
    "Edéa",
    "Dschang",
    "Foumban",
    "Kousseri",
    "Mbalmayo",
    "Sangmélima",
  ],
  GA: ["Libreville", "Port-Gentil", "Franceville", "Oyem", "Moanda", "Lambaréné"],
  CG: ["Brazzaville", "Pointe-Noire", "Dolisie", "Nkayi", "Owando"],
  TD: ["N'Djamena", "Moundou", "Sarh", "Abéché", "Kélo"],
  CF: ["Bangui", "Bimbo", "Berbérati", "Carnot", "Bambari", "Bouar"],
  GQ: ["Malabo", "Bata", "Ebebiyín", "Mongomo"],
  NG: ["Lagos", "Abuja", "Kano"],
  CD: ["Kinshasa", "Lubumbashi"],
  GH: ["Accra"],
  CI: ["Abidjan"],
  SN: ["Dakar"],
  KE: ["Nairobi"],
  ZA: ["Johannesburg", "Cape Town"],
  EG: ["Cairo"],
  MA: ["Casablanca"],
  FR: ["Paris", "Lyon", "Marseille"],
  BE: ["Brussels"],
  GB: ["London"],
  DE: ["Berlin"],
  ES: ["Madrid"],
  IT: ["Rome"],
  CH: ["Geneva"],
  AE: ["Dubai"],
  TR: ["Istanbul"],
  CN: ["Beijing", "Shanghai", "Guangzhou"],
  IN: ["Mumbai"],
  JP: ["Tokyo"],
  CA: ["Montreal", "Toronto"],
};

/**
 * Rough bounding boxes of each country's territory [minLat, maxLat, minLon, maxLon] (mainland US
 * and France): a swapped sign or swapped lat/lon in the table lands outside its country.
 */
const BOXES: Record<string, [number, number, number, number]> = {
  US: [24, 50, -125, -66],
  CM: [1.6, 13.1, 8.4, 16.2],
  GA: [-4, 2.4, 8.6, 14.6],
  CG: [-5.1, 3.8, 11.1, 18.7],
  TD: [7.4, 23.5, 13.4, 24],
  CF: [2.2, 11.1, 14.4, 27.5],
  GQ: [0.9, 3.8, 5.6, 11.4],
  NG: [4.2, 13.9, 2.6, 14.7],
  CD: [-13.5, 5.4, 12.2, 31.3],
  GH: [4.7, 11.2, -3.3, 1.2],
  CI: [4.3, 10.8, -8.6, -2.5],
  SN: [12.3, 16.7, -17.6, -11.3],
  KE: [-4.7, 5, 33.9, 41.9],
  ZA: [-34.9, -22.1, 16.4, 32.9],
  EG: [22, 31.7, 24.7, 36.9],
  MA: [27.6, 35.9, -13.2, -1],
  FR: [41.3, 51.1, -5.2, 9.6],
  BE: [49.5, 51.5, 2.5, 6.4],
  GB: [49.9, 60.9, -8.2, 1.8],
  DE: [47.3, 55.1, 5.9, 15],
  ES: [36, 43.8, -9.3, 3.3],
  IT: [36.6, 47.1, 6.6, 18.5],
  CH: [45.8, 47.8, 5.9, 10.5],
  AE: [22.6, 26.1, 51.6, 56.4],
  TR: [35.8, 42.1, 26, 44.8],
  CN: [18, 53.6, 73.5, 134.8],
  IN: [6.7, 35.5, 68.1, 97.4],
  JP: [24, 45.6, 122.9, 145.8],
  CA: [41.7, 83.1, -141, -52.6],
};

describe("gazetteer data", () => {
  const required = Object.entries(REQUIRED).flatMap(([cc, cities]) => cities.map((c) => `${c}, ${cc}`));

  it("holds every required city, under its own name and country", () => {
    for (const location of required) {
      const p = lookupPlace(location);
      expect(p, location).toBeDefined();
      expect(`${p?.city}, ${p?.country}`).toBe(location);
    }
  });

  it("has a size that counts each place once", () => {
    expect(Number.isInteger(GAZETTEER_SIZE)).toBe(true);
    expect(GAZETTEER_SIZE).toBeGreaterThanOrEqual(required.length);
    expect(GAZETTEER_SIZE).toBeLessThan(required.length + 10);
  });

  it("puts every required city inside its country, with 4-decimal WGS84 coordinates", () => {
    for (const location of required) {
      const p = place(location);
      const box = BOXES[p.country];
      expect(box, p.country).toBeDefined();
      const [minLat, maxLat, minLon, maxLon] = box as [number, number, number, number];
      expect(p.lat, `${location} lat`).toBeGreaterThanOrEqual(minLat);
      expect(p.lat, `${location} lat`).toBeLessThanOrEqual(maxLat);
      expect(p.lon, `${location} lon`).toBeGreaterThanOrEqual(minLon);
      expect(p.lon, `${location} lon`).toBeLessThanOrEqual(maxLon);
      expect(Math.round(p.lat * 1e4) / 1e4).toBe(p.lat);
      expect(Math.round(p.lon * 1e4) / 1e4).toBe(p.lon);
    }
  });

  it("gives no two required cities the same point", () => {
    const points = new Set(required.map((l) => `${place(l).lat},${place(l).lon}`));
    expect(points.size).toBe(required.length);
  });
});

describe("haversineKm", () => {
  it("gives 0 between a point and itself", () => {
    expect(haversineKm({ lat: 4.05, lon: 9.7 }, { lat: 4.05, lon: 9.7 })).toBe(0);
  });

  it("uses the 6371.0088 km mean radius", () => {
    // one degree along the equator and along a meridian: 2πR/360
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo((2 * Math.PI * R) / 360, 6);
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo((2 * Math.PI * R) / 360, 6);
    // equator to pole: a quarter of a great circle
    expect(haversineKm({ lat: 0, lon: 10 }, { lat: 90, lon: 0 })).toBeCloseTo((Math.PI * R) / 2, 6);
    // antipodes: half of it, with no NaN from rounding
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * R, 6);
    expect(haversineKm({ lat: 45, lon: 30 }, { lat: -45, lon: -150 })).toBeCloseTo(Math.PI * R, 6);
  });

  it("is symmetric and shrinks a degree of longitude with latitude", () => {
    const a = { lat: 60, lon: 0 };
    const b = { lat: 60, lon: 1 };
    expect(haversineKm(a, b)).toBe(haversineKm(b, a));
    expect(haversineKm(a, b)).toBeCloseTo(((2 * Math.PI * R) / 360) * 0.5, 1);
  });

  it("treats longitudes across the antimeridian as neighbours", () => {
    expect(haversineKm({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 })).toBeCloseTo((2 * Math.PI * R) / 360, 6);
  });
});

describe("distanceKm between known places", () => {
  // Great-circle distances as commonly published (airport-independent city-centre figures).
  it.each([
    ["New York, US", "Los Angeles, US", 3936],
    ["Paris, FR", "London, GB", 344],
    ["London, GB", "New York, US", 5570],
    ["Johannesburg, ZA", "Cape Town, ZA", 1262],
    ["Tokyo, JP", "Beijing, CN", 2097],
  ])("%s to %s is about %d km (within 1 %%)", (from, to, km) => {
    expectWithin(distanceKm(from, to), km, 0.01);
  });

  it("puts Douala about 205 km (± 10) from Yaoundé in a straight line", () => {
    const d = distanceKm("Douala, CM", "Yaoundé, CM") as number;
    expect(d).toBeGreaterThanOrEqual(195);
    expect(d).toBeLessThanOrEqual(215);
  });

  it("puts twin cities across a river a few km apart", () => {
    // Brazzaville and Kinshasa face each other across the Congo; N'Djamena and Kousseri across the Logone.
    expect(distanceKm("Brazzaville, CG", "Kinshasa, CD")).toBeLessThan(12);
    expect(distanceKm("N'Djamena, TD", "Kousseri, CM")).toBeLessThan(12);
    expect(distanceKm("Buea, CM", "Limbe, CM")).toBeLessThan(25);
  });

  it("gives 0 from a place to itself, whatever the spelling", () => {
    expect(distanceKm("Douala, CM", "Douala, CM")).toBe(0);
    expect(distanceKm("Yaoundé, CM", "  yaounde ,cm ")).toBe(0);
    expect(distanceKm("NYC, US", "New York, US")).toBe(0);
  });

  it("is symmetric", () => {
    const pairs: Array<[string, string]> = [
      ["Douala, CM", "Paris, FR"],
      ["Bangui, CF", "Malabo, GQ"],
      ["Seattle, US", "Tokyo, JP"],
      ["Cape Town, ZA", "Montreal, CA"],
    ];
    for (const [a, b] of pairs) {
      expect(distanceKm(a, b)).toBeDefined();
      expect(distanceKm(a, b)).toBe(distanceKm(b, a));
    }
  });

  it("is undefined when either end is absent or unknown", () => {
    expect(distanceKm(undefined, "Douala, CM")).toBeUndefined();
    expect(distanceKm("Douala, CM", undefined)).toBeUndefined();
    expect(distanceKm(undefined, undefined)).toBeUndefined();
    expect(distanceKm("Douala, CM", "Unknown")).toBeUndefined();
    expect(distanceKm("Atlantis, XX", "Douala, CM")).toBeUndefined();
    expect(distanceKm("Douala, CM", "")).toBeUndefined();
    expect(distanceKm("Douala, GA", "Yaoundé, CM")).toBeUndefined();
  });
});

describe("lookupPlace", () => {
  it("returns the row for an exact 'City, CC'", () => {
    expect(lookupPlace("Douala, CM")).toEqual({ city: "Douala", country: "CM", lat: 4.0483, lon: 9.7043 });
    expect(lookupPlace("Yaoundé, CM")).toEqual({ city: "Yaoundé", country: "CM", lat: 3.8667, lon: 11.5167 });
  });

  it("ignores case, surrounding and repeated spaces", () => {
    const douala = place("Douala, CM");
    for (const s of ["douala, cm", "DOUALA, CM", "  Douala ,  CM  ", "Douala,CM", "dOuAlA,cM", "Douala,\tCM"]) {
      expect(lookupPlace(s), s).toBe(douala);
    }
    expect(lookupPlace("New   York, US")).toBe(place("New York, US"));
    expect(lookupPlace(" los  angeles ,us")).toBe(place("Los Angeles, US"));
  });

  it("ignores accents, in either direction and in decomposed form", () => {
    const yaounde = place("Yaoundé, CM");
    expect(lookupPlace("Yaounde, CM")).toBe(yaounde);
    expect(lookupPlace("YAOUNDÉ, CM")).toBe(yaounde);
    expect(lookupPlace("Yaounde\u0301, CM")).toBe(yaounde); // e + combining acute accent
    expect(lookupPlace("Ngaoundere, CM")).toBe(place("Ngaoundéré, CM"));
    expect(lookupPlace("Abeche, TD")).toBe(place("Abéché, TD"));
    expect(lookupPlace("Ebebiyin, GQ")).toBe(place("Ebebiyín, GQ"));
    expect(lookupPlace("Sangmelima, CM")).toBe(place("Sangmélima, CM"));
    expect(lookupPlace("Lambarene, GA")).toBe(place("Lambaréné, GA"));
  });

  it("ignores hyphens and apostrophes", () => {
    const ndjamena = place("N'Djamena, TD");
    expect(lookupPlace("Ndjamena, TD")).toBe(ndjamena);
    expect(lookupPlace("N’Djamena, TD")).toBe(ndjamena);
    expect(lookupPlace("N Djamena, TD")).toBeUndefined(); // a space is not an apostrophe
    expect(lookupPlace("Port Gentil, GA")).toBe(place("Port-Gentil, GA"));
    expect(lookupPlace("pointe-noire, cg")).toBe(place("Pointe-Noire, CG"));
  });

  it("knows a few common aliases", () => {
    const ny = place("New York, US");
    expect(lookupPlace("NYC, US")).toBe(ny);
    expect(lookupPlace("nyc, us")).toBe(ny);
    expect(lookupPlace("New York City, US")).toBe(ny);
    expect(lookupPlace("Washington DC, US")).toBe(place("Washington, US"));
    expect(lookupPlace("Washington D.C., US")).toBe(place("Washington, US"));
    expect(lookupPlace("Bruxelles, BE")).toBe(place("Brussels, BE"));
    expect(lookupPlace("Genève, CH")).toBe(place("Geneva, CH"));
    expect(lookupPlace("Montréal, CA")).toBe(place("Montreal, CA"));
    expect(lookupPlace("Bombay, IN")).toBe(place("Mumbai, IN"));
    expect(lookupPlace("London, UK")).toBe(place("London, GB"));
    // an alias is bound to its country too
    expect(lookupPlace("NYC, CA")).toBeUndefined();
  });

  it("tells the two Congos apart", () => {
    expect(lookupPlace("Brazzaville, CG")?.country).toBe("CG");
    expect(lookupPlace("Brazzaville, CD")).toBeUndefined();
    expect(lookupPlace("Kinshasa, CD")?.country).toBe("CD");
    expect(lookupPlace("Kinshasa, CG")).toBeUndefined();
  });

  it("refuses a place whose country does not match", () => {
    expect(lookupPlace("Douala, GA")).toBeUndefined();
    expect(lookupPlace("Paris, US")).toBeUndefined();
    expect(lookupPlace("Yaoundé, CMR")).toBeUndefined();
    expect(lookupPlace("Douala, Cameroon")).toBeUndefined();
  });

  it("without a country, matches only a name that one place bears", () => {
    expect(lookupPlace("Douala")).toBe(place("Douala, CM"));
    expect(lookupPlace("  yaounde ")).toBe(place("Yaoundé, CM"));
    expect(lookupPlace("NYC")).toBe(place("New York, US"));
    expect(lookupPlace("Douala,")).toBe(place("Douala, CM"));
    // Moanda, GA and Moanda, CD
    expect(lookupPlace("Moanda, GA")?.country).toBe("GA");
    expect(lookupPlace("Moanda, CD")?.country).toBe("CD");
    expect(lookupPlace("Moanda")).toBeUndefined();
  });

  it("gives undefined for unknown or empty places, never a made-up point", () => {
    for (const s of ["Unknown", "unknown", "Unknown, CM", "Atlantis", "Atlantis, XX", "", "   ", ",", ", CM", "CM", "Douala, CM, extra"]) {
      expect(lookupPlace(s), JSON.stringify(s)).toBeUndefined();
    }
  });

  it("returns places that callers cannot alter", () => {
    const p = place("Douala, CM");
    expect(Object.isFrozen(p)).toBe(true);
  });
});
