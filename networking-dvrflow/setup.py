# networking-dvrflow: the Neutron ML2 mechanism driver and L3 service
# plugin that hand Neutron's model to dvrflow's NB database.
import setuptools

setuptools.setup()
