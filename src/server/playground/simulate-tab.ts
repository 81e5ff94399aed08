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

/** The risk exposure tab: every supplier of the demo network ranked (docs/analysis.md). */
export const RISK_EXPOSURE_QUERY = `# Risk exposure: every supplier of the demo network ranked by
# what an outage as long as its recovery costs (dated
# 2026-11-25T00:00:00Z, hence the asOf).
#
# S-POLYBOND (adhesive) is first: Leipzig survives 4 days
# without it, it needs 21 to recover, and the simulated outage
# leaves 3,797 order units short (index 1). S-KIMOTO (motors,
# 2.5 days against 35) follows at 0.55, S-HANSEI at 0.015.
# S-DECCAN is at risk too (10 days against 14) but loses no
# order in the horizon. atRisk: time to survive < time to
# recover. recoveryDays is the default for suppliers without
# their own; includeMitigated counts dual-sourced parts too.

query RiskExposure {
  riskExposure(asOf: "2026-11-25T00:00:00Z", recoveryDays: 14, first: 8) {
    supplier {
      id
      name
      recoveryDays
    }
    timeToSurvive
    timeToRecover
    atRisk
    riskExposureIndex
    performanceImpact {
      revenueLost
      unitsShort
    }
    components {
      factory {
        name
      }
      component {
        name
      }
      timeToSurvive
    }
  }
}
`;
