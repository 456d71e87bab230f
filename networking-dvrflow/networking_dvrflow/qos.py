# Copyright dvrflow contributors.  Licensed under the Apache License 2.0.
"""The QoS driver "dvrflow" of Neutron's "qos" service plugin.

Model: neutron/services/qos/drivers/ovn/driver.py.  The mechanism driver
creates it (mech_driver.initialize); it registers with the QoS plugin's
driver manager when the "qos" ML2 extension driver is configured.  Each
policy change (its creation, an update, a rule created, updated or
deleted: the plugin calls update_policy for all of these) writes the
QoS_Policy row and its QoS_Rule rows (mapping.qos_policy_row) in one
transaction; a deleted policy deletes them.  A port's or network's
qos_policy_id is written with the port or network row (mapping.port_row,
network_row) by the mechanism driver.

Supported rules: bandwidth_limit (egress and ingress, max_kbps >= 1 as
dvr-api) and dscp_marking.  A rule dvrflow does not carry is refused in
the precommit (400, nothing written), so the NB never holds a policy
that differs from Neutron's.
"""

import logging

from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.db import constants as db_consts
from neutron_lib import exceptions as n_exc
from neutron_lib.services.qos import base
from neutron_lib.services.qos import constants as qos_consts
from oslo_config import cfg

from networking_dvrflow import mapping

LOG = logging.getLogger(__name__)

SUPPORTED_RULES = {
    qos_consts.RULE_TYPE_BANDWIDTH_LIMIT: {
        qos_consts.MAX_KBPS: {
            'type:range': [1, db_consts.DB_INTEGER_MAX_VALUE]},
        qos_consts.MAX_BURST: {
            'type:range': [0, db_consts.DB_INTEGER_MAX_VALUE]},
        qos_consts.DIRECTION: {
            'type:values': constants.VALID_DIRECTIONS},
    },
    qos_consts.RULE_TYPE_DSCP_MARKING: {
        qos_consts.DSCP_MARK: {'type:values': constants.VALID_DSCP_MARKS},
    },
}


def policy_dict(policy):
    """A QosPolicy object (or dict) as the dict mapping.py reads."""
    if isinstance(policy, dict):
        return policy
    out = policy.to_dict()
    out['rules'] = [r if isinstance(r, dict) else r.to_dict()
                    for r in out.get('rules') or []]
    for rule in out['rules']:
        rule.setdefault('type', rule.get('rule_type'))
    return out


class DvrflowQosDriver(base.DriverBase):

    @classmethod
    def create(cls, mech):
        driver = cls(name='dvrflow',
                     vif_types=[portbindings.VIF_TYPE_OVS],
                     vnic_types=[portbindings.VNIC_NORMAL],
                     supported_rules=SUPPORTED_RULES,
                     requires_rpc_notifications=False)
        driver._mech = mech
        return driver

    @property
    def is_loaded(self):
        try:
            return 'qos' in cfg.CONF.ml2.extension_drivers
        except cfg.NoSuchOptError:
            return False

    @staticmethod
    def _check(policy):
        for rule in policy_dict(policy).get('rules') or []:
            reason = mapping.check_qos_rule(rule)
            if reason:
                raise n_exc.InvalidInput(
                    error_message='dvrflow cannot carry QoS rule %s: %s'
                    % (rule.get('id'), reason))

    def create_policy_precommit(self, context, policy):
        self._check(policy)

    def update_policy_precommit(self, context, policy):
        self._check(policy)

    def _write_policy(self, policy):
        policy = policy_dict(policy)
        self._mech._write('QoS policy %s' % policy['id'],
                          self._mech.client.write_qos_policy, policy)

    def create_policy(self, context, policy):
        self._write_policy(policy)

    def update_policy(self, context, policy):
        self._write_policy(policy)

    def delete_policy(self, context, policy):
        self._mech._write('QoS policy %s' % policy.id,
                          self._mech.client.delete, 'QoS_Policy', policy.id)
