import { Module } from '@nestjs/common';
import { AnafClient } from './anaf.client';
import { CompanyLookupService } from './company-lookup.service';
import { ListaFirmeClient } from './listafirme.client';

/** The Romanian company register: ListaFirme, with ANAF as the free fallback by CUI. */
@Module({ providers: [ListaFirmeClient, AnafClient, CompanyLookupService], exports: [CompanyLookupService] })
export class CompaniesModule {}
