import { Module } from '@nestjs/common';
import { HubSpotModule } from '../hubspot/hubspot.module';
import { AnafClient } from './anaf.client';
import { CompanyLookupService } from './company-lookup.service';
import { HubSpotCrmCompanies } from './hubspot-crm-companies.service';
import { ListaFirmeClient } from './listafirme.client';

/** The Romanian company register (ListaFirme, ANAF as the free fallback by CUI) and HubSpot CRM companies. */
@Module({
  imports: [HubSpotModule],
  providers: [ListaFirmeClient, AnafClient, CompanyLookupService, HubSpotCrmCompanies],
  exports: [CompanyLookupService, HubSpotCrmCompanies],
})
export class CompaniesModule {}
