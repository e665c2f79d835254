//! Team endpoints: technicians, invitations, dispatchers, company profile (being written).
