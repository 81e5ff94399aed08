/**
 * The playground's simulation tab: a what-if on the demo network that `npm start` loads
 * (seeds/demo.json, dated 2026-11-25T00:00:00Z), the same supplier outage as the impact tab, so
 * the two answers can be read side by side. docs/simulation.md explains the fields.
 */
export const SIMULATE_QUERY = `# Simulation: the factories day by day over 4 weeks,
# on the demo network that npm start loads (dated
# 2026-11-25T00:00:00Z, hence the startAt).
#
# S-POLYBOND, sole supplier of the structural adhesive,
# is out for 14 days. Leipzig runs out of adhesive on
# day 4, its door shells and door modules follow, and
# two orders of Volta Motors Zwickau ship 6 days late:
# the fill rate falls from 1 to 0.89 against the
# baseline (the same 4 weeks without the outage).
#
# It writes nothing. Add runs: 20, seed: 1 for random
# failures (mtbfHours, mttrHours) and p10/p50/p90 bands;
# above SIM_QUERY_MAX_RUNS runs, save it (saveScenario)
# and run it as a job (startSimulation).

query Simulate {
  simulate(
    scenario: {
      startAt: "2026-11-25T00:00:00Z"
      horizonDays: 28
      supplierOutages: [{ supplierId: "S-POLYBOND", days: 14 }]
    }
  ) {
    kpis {
      fillRate
      unitsProduced
      unitsShort
      lateOrders
      revenueLost
    }
    baseline {
      fillRate
      unitsProduced
      lateOrders
    }
    delta {
      fillRate
      unitsProduced
      lateOrders
    }
    stockouts {
      factory {
        name
      }
      product {
        name
      }
      fromDay
      days
    }
    lateOrders {
      order {
        id
        customer
        dueDate
      }
      daysLate
      unitsShort
    }
    production {
      line {
        name
      }
      product {
        name
      }
      units
      capacityUnits
    }
  }
}
`;
