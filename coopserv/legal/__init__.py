"""The pages a French public-service site must publish, per territory: accessibility, legal notice, personal data."""
