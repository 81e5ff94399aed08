import type { AssetStatus } from '../domain/enums';
import type { FactoryInput } from '../twins/import/document';
import type { AssetKind, Complete } from './document';

/*
 * The demo's three plants and ten lines. Each line is a sequence of stages; the stations of one
 * stage work in parallel and every station feeds every station of the next stage, so the FEEDS
 * graph is a DAG inside the line by construction.
 */

export interface StationSpec {
  key: string;
  name: string;
  kind: AssetKind;
  rate: number;
  status?: AssetStatus;
}

export interface LineSpec {
  id: string;
  factoryId: string;
  name: string;
  shiftsPerDay: number;
  hoursPerShift: number;
  stations: StationSpec[];
  stages: string[][];
  produces: { productId: string; ratePerHour: number }[];
}

export const DEMO_FACTORIES: Complete<FactoryInput>[] = [
  {
    id: 'F-LEI',
    name: 'Leipzig',
    country: 'DE',
    timezone: 'Europe/Berlin',
    lat: 51.3397,
    lon: 12.3731,
  },
  {
    id: 'F-PUE',
    name: 'Puebla',
    country: 'MX',
    timezone: 'America/Mexico_City',
    lat: 19.0414,
    lon: -98.2063,
  },
  {
    id: 'F-CHE',
    name: 'Chennai',
    country: 'IN',
    timezone: 'Asia/Kolkata',
    lat: 13.0827,
    lon: 80.2707,
  },
];

function st(
  key: string,
  name: string,
  kind: AssetKind,
  rate: number,
  status?: AssetStatus,
): StationSpec {
  return status === undefined ? { key, name, kind, rate } : { key, name, kind, rate, status };
}

/** A door body shop: blanking, pressing, hemming, spot welding, sealing, e-coat. */
function bodyShop(id: string, factoryId: string, twoPresses: boolean, welder2: AssetStatus) {
  const presses = twoPresses
    ? [st('PRESS1', 'Transfer press 1', 'PRESS', 50), st('PRESS2', 'Transfer press 2', 'PRESS', 50)]
    : [st('PRESS1', 'Tandem press line', 'PRESS', 100)];
  const spec: LineSpec = {
    id,
    factoryId,
    name: 'Door body shop',
    shiftsPerDay: twoPresses ? 2 : 3,
    hoursPerShift: 8,
    stations: [
      st('BLANK', 'Blanking press', 'PRESS', 120),
      ...presses,
      st('HEM', 'Roller hemming robot', 'ROBOT', 95),
      st('WELD1', 'Spot welding cell 1', 'WELDER', 45),
      st('WELD2', 'Spot welding cell 2', 'WELDER', 45, welder2),
      st('CONV', 'Overhead conveyor', 'CONVEYOR', 150),
      st('SEAL', 'Sealing robot', 'ROBOT', 100),
      st('PAINT', 'E-coat booth', 'PAINT_BOOTH', 100),
      st('OVEN', 'E-coat curing oven', 'OVEN', 110),
    ],
    stages: [
      ['BLANK'],
      presses.map((p) => p.key),
      ['HEM'],
      ['WELD1', 'WELD2'],
      ['CONV'],
      ['SEAL'],
      ['PAINT'],
      ['OVEN'],
    ],
    produces: [
      { productId: 'P-SHELL-L', ratePerHour: 30 },
      { productId: 'P-SHELL-R', ratePerHour: 30 },
    ],
  };
  return spec;
}

/** Door module assembly: two screwdriving robots in parallel with headroom (one is redundant). */
function doorAssembly(id: string, factoryId: string, rate: number, screw2: AssetStatus): LineSpec {
  return {
    id,
    factoryId,
    name: 'Door module assembly',
    shiftsPerDay: 2,
    hoursPerShift: 8,
    stations: [
      st('CONV1', 'Door skid conveyor', 'CONVEYOR', 100),
      st('GLASS', 'Glass insertion robot', 'ROBOT', rate + 10),
      st('SCREW1', 'Screwdriving robot 1', 'ROBOT', rate + 10),
      st('SCREW2', 'Screwdriving robot 2', 'ROBOT', rate + 10, screw2),
      st('HARN', 'Harness routing robot', 'ROBOT', rate + 8),
      st('SEAL', 'Seal rolling robot', 'ROBOT', rate + 6),
      st('CONV2', 'Buffer conveyor', 'CONVEYOR', 100),
      st('EOL', 'End-of-line test robot', 'ROBOT', rate + 15),
    ],
    stages: [['CONV1'], ['GLASS'], ['SCREW1', 'SCREW2'], ['HARN'], ['SEAL'], ['CONV2'], ['EOL']],
    produces: [
      { productId: 'P-DOOR-L', ratePerHour: rate / 2 },
      { productId: 'P-DOOR-R', ratePerHour: rate / 2 },
    ],
  };
}

/** Window regulator line with `cells` assembly robots in parallel. */
function regulatorLine(
  id: string,
  factoryId: string,
  cells: StationSpec[],
  rate: number,
): LineSpec {
  return {
    id,
    factoryId,
    name: 'Window regulator line',
    shiftsPerDay: 2,
    hoursPerShift: 8,
    stations: [
      st('CUT', 'Rail cutting CNC', 'CNC', 90),
      st('FORM', 'Rail forming press', 'PRESS', 85),
      ...cells,
      st('GREASE', 'Greasing robot', 'ROBOT', 95),
      st('CONV', 'Transfer conveyor', 'CONVEYOR', 120),
      st('TEST', 'End-of-line test robot', 'ROBOT', 80),
    ],
    stages: [['CUT'], ['FORM'], cells.map((c) => c.key), ['GREASE'], ['CONV'], ['TEST']],
    produces: [{ productId: 'P-WIN-REG', ratePerHour: rate }],
  };
}

export const DEMO_LINES: LineSpec[] = [
  bodyShop('L-LEI-BODY', 'F-LEI', true, 'RUNNING'),
  regulatorLine(
    'L-LEI-REG',
    'F-LEI',
    [st('ASM1', 'Assembly robot 1', 'ROBOT', 40), st('ASM2', 'Assembly robot 2', 'ROBOT', 40)],
    60,
  ),
  doorAssembly('L-LEI-DOOR', 'F-LEI', 60, 'IDLE'),
  {
    id: 'L-LEI-TRAY',
    factoryId: 'F-LEI',
    name: 'Battery tray line',
    shiftsPerDay: 3,
    hoursPerShift: 8,
    stations: [
      st('SAW', 'Extrusion saw', 'CNC', 30),
      st('MILL1', '5-axis machining centre 1', 'CNC', 8),
      st('MILL2', '5-axis machining centre 2', 'CNC', 8),
      st('FSW1', 'Friction-stir welder 1', 'WELDER', 7),
      st('FSW2', 'Friction-stir welder 2', 'WELDER', 7),
      st('CONV', 'Roller conveyor', 'CONVEYOR', 30),
      st('GLUE', 'Adhesive dispensing robot', 'ROBOT', 18),
      st('OVEN', 'Adhesive curing oven', 'OVEN', 20),
      st('LEAK', 'Leak-test robot', 'ROBOT', 16),
    ],
    stages: [['SAW'], ['MILL1', 'MILL2'], ['FSW1', 'FSW2'], ['CONV'], ['GLUE'], ['OVEN'], ['LEAK']],
    produces: [{ productId: 'P-TRAY', ratePerHour: 12 }],
  },
  bodyShop('L-PUE-BODY', 'F-PUE', false, 'DOWN'),
  regulatorLine(
    'L-PUE-REG',
    'F-PUE',
    [
      st('ASM1', 'Assembly robot 1', 'ROBOT', 28),
      st('ASM2', 'Assembly robot 2', 'ROBOT', 28),
      st('ASM3', 'Assembly robot 3', 'ROBOT', 28, 'IDLE'),
    ],
    50,
  ),
  doorAssembly('L-PUE-DOOR', 'F-PUE', 50, 'MAINTENANCE'),
  {
    id: 'L-CHE-RAIL',
    factoryId: 'F-CHE',
    name: 'Seat rail line',
    shiftsPerDay: 2,
    hoursPerShift: 8,
    stations: [
      st('ROLL', 'Roll-forming line', 'PRESS', 150),
      st('PIERCE1', 'Piercing press 1', 'PRESS', 75),
      st('PIERCE2', 'Piercing press 2', 'PRESS', 75, 'IDLE'),
      st('WELD', 'Projection welder', 'WELDER', 140),
      st('CONV', 'Hanger conveyor', 'CONVEYOR', 200),
      st('PAINT', 'Powder coating booth', 'PAINT_BOOTH', 160),
      st('OVEN', 'Powder curing oven', 'OVEN', 160),
      st('VISION', 'Vision inspection robot', 'ROBOT', 150),
    ],
    stages: [['ROLL'], ['PIERCE1', 'PIERCE2'], ['WELD'], ['CONV'], ['PAINT'], ['OVEN'], ['VISION']],
    produces: [{ productId: 'P-SEAT-RAIL', ratePerHour: 110 }],
  },
  {
    id: 'L-CHE-BACK',
    factoryId: 'F-CHE',
    name: 'Backrest frame line',
    shiftsPerDay: 3,
    hoursPerShift: 8,
    stations: [
      st('SAW', 'Tube saw', 'CNC', 120),
      st('BEND1', 'CNC tube bender 1', 'CNC', 35),
      st('BEND2', 'CNC tube bender 2', 'CNC', 35, 'MAINTENANCE'),
      st('WELD1', 'MIG welding robot 1', 'WELDER', 40),
      st('WELD2', 'MIG welding robot 2', 'WELDER', 40),
      st('CONV', 'Hanger conveyor', 'CONVEYOR', 120),
      st('PAINT', 'Powder coating booth', 'PAINT_BOOTH', 90),
      st('OVEN', 'Powder curing oven', 'OVEN', 90),
    ],
    stages: [['SAW'], ['BEND1', 'BEND2'], ['WELD1', 'WELD2'], ['CONV'], ['PAINT'], ['OVEN']],
    produces: [{ productId: 'P-SEAT-BACK', ratePerHour: 55 }],
  },
  {
    id: 'L-CHE-SEAT',
    factoryId: 'F-CHE',
    name: 'Seat frame assembly',
    shiftsPerDay: 2,
    hoursPerShift: 8,
    stations: [
      st('CONV1', 'Pallet conveyor', 'CONVEYOR', 120),
      st('JOIN', 'Rail joining robot', 'ROBOT', 60),
      st('LASER1', 'Laser welding cell 1', 'WELDER', 35),
      st('LASER2', 'Laser welding cell 2', 'WELDER', 35),
      st('RECL', 'Recliner fitting robot', 'ROBOT', 65),
      st('SCREW', 'Screwdriving robot', 'ROBOT', 70),
      st('CONV2', 'Pallet return conveyor', 'CONVEYOR', 120),
      st('TEST', 'Recliner function tester', 'ROBOT', 62),
    ],
    stages: [['CONV1'], ['JOIN'], ['LASER1', 'LASER2'], ['RECL'], ['SCREW'], ['CONV2'], ['TEST']],
    produces: [{ productId: 'P-SEAT-F', ratePerHour: 40 }],
  },
];
