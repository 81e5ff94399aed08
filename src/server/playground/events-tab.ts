/**
 * The playground's Alerts tab: the alert rules, the open alerts they raised on the demo plant (the
 * demo feed sends readings out of range now and then), and the idle-time tracker of one press per
 * shift. docs/alerts.md and docs/timeline.md explain the figures.
 */
export const ALERTS_QUERY = `# Event management on the running demo (docs/alerts.md).
#
# Rules are data: alertRules lists them; createAlertRule,
# updateAlertRule and deleteAlertRule change them, e.g.
#   mutation { createAlertRule(input: { name: "Press down",
#     kind: ASSET_DOWN, factoryId: "F-LEI", severity: CRITICAL,
#     clearDelayS: 0 }) { id } }
# The demo feed sends a reading out of range now and then:
# the default rule "metric-range" raises one alert per
# metric, counts its returns, and resolves it after 60 s
# back in range. acknowledgeAlert(id, by) and
# resolveAlert(id, by) close the loop by hand.
#
# stateSummary is the idle-time tracker: seconds per status,
# availability and the longest idle stretches, per shift in
# the factory's time zone (docs/timeline.md).

query Alerts {
  alertRules {
    id
    name
    kind
    severity
    enabled
    clearDelayS
  }
  alerts(open: true, first: 10) {
    totalCount
    edges {
      node {
        id
        kind
        severity
        state
        message
        count
        raisedAt
        lastSeenAt
        about {
          __typename
          ... on Asset {
            id
            name
          }
          ... on Shipment {
            id
          }
          ... on Factory {
            id
          }
        }
      }
    }
  }
  asset(id: "A-LEI-BODY-PRESS1") {
    name
    status
    stateSummary(byShift: true) {
      availability
      seconds {
        running
        idle
        down
        maintenance
        unknown
      }
      longestIdle {
        from
        to
        seconds
      }
      shifts {
        date
        shift
        availability
      }
    }
  }
}
`;
