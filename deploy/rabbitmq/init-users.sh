#!/bin/sh
# Creates (or updates) each Rectify service's broker user with permissions on only what it publishes and consumes,
# and removes guest. Run by docker-compose's rabbitmq-users step against the running node; idempotent.
# Passwords come from the environment (RECTIFY_MQ_<SERVICE>_PASSWORD). See docs/broker.md.
set -eu
ctl() { rabbitmqctl -q -n "rabbit@${RABBITMQ_NODE_HOST:-rabbitmq}" "$@"; }
VHOST=/

# user service publishes(namespace under Rectify.Events, or -) password
service_user() {
  user=$1 service=$2 publishes=$3 password=$4
  ctl add_user "$user" "$password" 2>/dev/null || ctl change_password "$user" "$password"
  ctl set_user_tags "$user"   # never "impersonator": it could set someone else's user_id
  own="$service-.*|.*_bus_.*"
  if [ "$publishes" = "-" ]; then write="^($own)\$"; else write="^($own|Rectify\\.Events\\.$publishes:.*|Rectify\\.Events:IIntegrationEvent)\$"; fi
  ctl set_permissions -p "$VHOST" "$user" "^($own|Rectify\\.Events[.:].*)\$" "$write" "^($own|Rectify\\.Events[.:].*)\$"
}

service_user rectify-organizations organizations Organizations "$RECTIFY_MQ_ORGANIZATIONS_PASSWORD"
service_user rectify-measures      measures      Measures      "$RECTIFY_MQ_MEASURES_PASSWORD"
service_user rectify-assessment    assessment    Assessment    "$RECTIFY_MQ_ASSESSMENT_PASSWORD"
service_user rectify-reporting     reporting     Reporting     "$RECTIFY_MQ_REPORTING_PASSWORD"
service_user rectify-notifications notifications -             "$RECTIFY_MQ_NOTIFICATIONS_PASSWORD"
service_user rectify-gateway       gateway       -             "$RECTIFY_MQ_GATEWAY_PASSWORD"
ctl delete_user guest 2>/dev/null || true
echo "rabbitmq-users: service users ready"
