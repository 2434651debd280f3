/** How documents name services and charge methods, in Russian. */
export const SERVICE_NAMES: Record<string, string> = {
  heat: 'отопление',
  hot_water: 'горячая вода',
  cold_water: 'холодная вода',
  wastewater: 'водоотведение',
  gas: 'газ',
  electricity: 'электроэнергия',
}

/** A line's method, so the receipt says why it is what it is. */
export const CHARGE_KIND_NAMES: Record<string, string> = {
  metered: 'по показаниям',
  average: 'по среднему',
  normative: 'по нормативу',
  recalculation: 'перерасчёт',
  penalty: 'пени',
  per_resident: 'на проживающих',
  per_area: 'по площади',
  fixed: 'абонентская плата',
}
